import { describe, expect, it } from "vitest";

import { ALL_ROWS, matching, rowWindow } from "./rows.svelte";

describe("the rows a long table renders", () => {
  it("are all of a short table", () => {
    expect(rowWindow(ALL_ROWS, 5000, 600, 50)).toEqual({ from: 0, to: ALL_ROWS, before: 0, after: 0 });
  });

  it("are those in view and a margin, with spacers of the rest's height", () => {
    const rows = rowWindow(50_000, 57 * 25_000, 570, 57);
    expect(rows.from).toBe(25_000 - 30);
    expect(rows.to).toBe(25_010 + 30);
    expect(rows.before + (rows.to - rows.from) * 57 + rows.after).toBe(50_000 * 57);
  });

  it("stay within the table at its ends and when it shrank under the scroll position", () => {
    expect(rowWindow(1000, 0, 600, 50).from).toBe(0);
    const end = rowWindow(1000, 10_000_000, 600, 50);
    expect(end.to).toBe(1000);
    expect(end.after).toBe(0);
    expect(end.from).toBeLessThanOrEqual(end.to);
  });
});

describe("a search of a long table", () => {
  const cis = [
    { name: "payroll-api", owner: "Team Pay" },
    { name: "payroll-db", owner: null },
    { name: "crm", owner: "sales" },
  ];
  const texts = (c: { name: string; owner: string | null }) => [c.name, c.owner];

  it("finds what was typed in any of a row's texts, in any case", () => {
    expect(matching(cis, " PAY ", texts).map((c) => c.name)).toEqual(["payroll-api", "payroll-db"]);
    expect(matching(cis, "sales", texts).map((c) => c.name)).toEqual(["crm"]);
    expect(matching(cis, "nothing", texts)).toEqual([]);
  });

  it("keeps every row when nothing was typed", () => {
    expect(matching(cis, "  ", texts)).toBe(cis);
  });
});
