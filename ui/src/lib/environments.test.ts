import { describe, expect, it } from "vitest";

import type { Booking } from "../bindings/Booking";
import type { EnvironmentView } from "../bindings/EnvironmentView";
import { ageText, bookingTimeline, filterEnvironments, parseDefects, toLocalInput, fromLocalInput } from "./environments";

const booking = (id: number, env: string, from: string, to: string): Booking => ({
  id,
  env,
  release: `REL-${id}`,
  from,
  to,
  purpose: "regression",
  by: "rita",
});

describe("booking timeline", () => {
  it("puts each environment over its bookings and flags those beyond its capacity", () => {
    const data = bookingTimeline(
      [{ name: "lab-1", capacity: 1 }, { name: "lab-2", capacity: 1 }],
      [
        booking(1, "lab-1", "2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z"),
        booking(2, "lab-1", "2026-12-01T11:00:00Z", "2026-12-01T14:00:00Z"),
        booking(3, "lab-1", "2026-12-01T14:00:00Z", "2026-12-01T16:00:00Z"),
      ],
      Date.parse("2026-12-01T00:00:00Z"),
    );
    expect(data.rows.map((r) => [r.id, r.kind, !!r.flagged])).toEqual([
      ["env:lab-1", "group", false],
      ["booking:1", "task", true],
      ["booking:2", "task", true],
      ["booking:3", "task", false],
      ["env:lab-2", "group", false],
    ]);
    expect(data.rows[0]!.start).toBe(Date.parse("2026-12-01T08:00:00Z"));
    expect(data.rows[0]!.end).toBe(Date.parse("2026-12-01T16:00:00Z"));
    expect(data.rows[1]!.label).toBe("REL-1 · regression");
    expect(data.rows[4]!.start).toBeNull();
    // With room for two, the same overlapping regression runs are fine.
    const shared = bookingTimeline(
      [{ name: "lab-1", capacity: 2 }],
      [
        booking(1, "lab-1", "2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z"),
        booking(2, "lab-1", "2026-12-01T11:00:00Z", "2026-12-01T14:00:00Z"),
      ],
      0,
    );
    expect(shared.rows.map((r) => !!r.flagged)).toEqual([false, false, false]);
    // A code change shares with nobody.
    const code = bookingTimeline(
      [{ name: "lab-1", capacity: 5 }],
      [booking(1, "lab-1", "2026-12-01T08:00:00Z", "2026-12-01T12:00:00Z"), { ...booking(2, "lab-1", "2026-12-01T11:00:00Z", "2026-12-01T14:00:00Z"), purpose: "code_change" }],
      0,
    );
    expect(code.rows.map((r) => !!r.flagged)).toEqual([false, true, true]);
  });
  it("says a snapshot's age in hours, then days", () => {
    expect(ageText(30)).toBe("30 h");
    expect(ageText(145)).toBe("6 d (145 h)");
  });
});

describe("inventory filters", () => {
  const env = (name: string, state: "running" | "stopped", drift: number, old: boolean) =>
    ({
      name,
      state,
      purpose: "test",
      drift: Array.from({ length: drift }, () => ({ ci: "api", installed: "1", expected: "2" })),
      snapshots: [{ too_old: old }],
    }) as unknown as EnvironmentView;
  const envs = [env("a", "running", 0, false), env("b", "stopped", 1, false), env("c", "running", 0, true)];
  it("filters by state, drift and old snapshots", () => {
    const names = (f: Parameters<typeof filterEnvironments>[1]) => filterEnvironments(envs, f).map((e) => e.name);
    expect(names({ state: "", purpose: "", drift: false, oldSnapshots: false })).toEqual(["a", "b", "c"]);
    expect(names({ state: "running", purpose: "", drift: false, oldSnapshots: false })).toEqual(["a", "c"]);
    expect(names({ state: "", purpose: "", drift: true, oldSnapshots: false })).toEqual(["b"]);
    expect(names({ state: "", purpose: "", drift: false, oldSnapshots: true })).toEqual(["c"]);
  });
});

describe("form fields", () => {
  it("reads defects a line each, medium when no severity is given", () => {
    expect(parseDefects("BUG-1:High\n\nBUG-2")).toEqual([
      { id: "BUG-1", severity: "high" },
      { id: "BUG-2", severity: "medium" },
    ]);
  });
  it("round-trips a datetime-local value", () => {
    const ms = Date.parse("2026-12-01T09:30:00Z");
    expect(fromLocalInput(toLocalInput(ms))).toBe("2026-12-01T09:30:00.000Z");
  });
});
