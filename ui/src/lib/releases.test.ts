import { describe, expect, it } from "vitest";

import type { Release } from "../bindings/Release";
import { draftFrom, searchReleases, sortReleases } from "./releases";

function release(key: string, title: string, owner: string | null = null): Release {
  return {
    key,
    title,
    type: "minor",
    stage: "planning",
    owner,
    risk: null,
    planned_start: "2026-03-01",
    planned_end: "2026-03-02",
    requester: null,
    dev_docs: "https://wiki/dev",
    ops_docs: null,
    needs_revision: false,
    demo: false,
    package_type: "delta",
    base: null,
    version: 1,
    created_at: "2026-02-01T10:00:00Z",
    created_by: "anna",
    updated_at: "2026-02-01T10:00:00Z",
    updated_by: "anna",
  };
}

const all = [
  release("REL-2026-001", "Payroll tax tables", "Anna Berg"),
  release("REL-2026-002", "Customer portal SSO", "Jonas Weber"),
];

describe("searchReleases", () => {
  it("matches every word in key, title or owner, ignoring case", () => {
    expect(searchReleases(all, "payroll").map((r) => r.key)).toEqual(["REL-2026-001"]);
    expect(searchReleases(all, "rel-2026-002").map((r) => r.key)).toEqual(["REL-2026-002"]);
    expect(searchReleases(all, "portal weber").map((r) => r.key)).toEqual(["REL-2026-002"]);
    expect(searchReleases(all, "portal anna")).toEqual([]);
  });

  it("returns everything for a blank query", () => {
    expect(searchReleases(all, "   ")).toHaveLength(2);
  });
});

describe("draftFrom", () => {
  it("starts a new release blank, as a minor release", () => {
    expect(draftFrom(null)).toMatchObject({ key: "", title: "", type: "minor", owner: null });
  });

  it("copies an existing release's editable fields", () => {
    expect(draftFrom(all[0]!)).toEqual({
      key: "REL-2026-001",
      title: "Payroll tax tables",
      type: "minor",
      planned_start: "2026-03-01",
      planned_end: "2026-03-02",
      owner: "Anna Berg",
      risk: null,
      requester: null,
      dev_docs: "https://wiki/dev",
      ops_docs: null,
    });
  });
});

describe("sorting the release list", () => {
  const list: Release[] = [
    { ...release("REL-10", "beta", "Carl"), stage: "test", planned_start: "2026-05-01" },
    { ...release("REL-9", "Alpha", null), stage: "planning", planned_start: "2026-04-01" },
    { ...release("REL-11", "gamma", "anna"), stage: "closed", planned_start: "2026-06-01" },
  ];
  const keys = (sorted: Release[]) => sorted.map((r) => r.key);

  it("orders keys by their numbers and titles without regard to case", () => {
    expect(keys(sortReleases(list, "key", false))).toEqual(["REL-9", "REL-10", "REL-11"]);
    expect(keys(sortReleases(list, "title", false))).toEqual(["REL-9", "REL-10", "REL-11"]);
    expect(keys(sortReleases(list, "title", true))).toEqual(["REL-11", "REL-10", "REL-9"]);
  });

  it("orders stages along the lifecycle and dates by their start", () => {
    expect(keys(sortReleases(list, "stage", false))).toEqual(["REL-9", "REL-10", "REL-11"]);
    expect(keys(sortReleases(list, "planned", true))).toEqual(["REL-11", "REL-10", "REL-9"]);
  });

  it("puts releases without an owner last either way, and leaves the list it was given", () => {
    expect(keys(sortReleases(list, "owner", false))).toEqual(["REL-11", "REL-10", "REL-9"]);
    expect(keys(sortReleases(list, "owner", true))).toEqual(["REL-10", "REL-11", "REL-9"]);
    expect(keys(list)).toEqual(["REL-10", "REL-9", "REL-11"]);
  });
});
