import { describe, expect, it } from "vitest";

import type { Schedule } from "../bindings/Schedule";
import type { ScheduledTask } from "../bindings/ScheduledTask";
import type { ScheduleChanges } from "../bindings/ScheduleChanges";
import type { ScheduleUpdate } from "../bindings/ScheduleUpdate";
import { asWritten } from "./api";
import { applyUpdate } from "./schedule";
import {
  fitPxPerHour,
  generatedPlan,
  linkPath,
  nextZoom,
  patchRows,
  PX_PER_HOUR,
  ROW_HEIGHT,
  rowsFromSchedule,
  snap,
  step,
  ticks,
  TimeScale,
  visibleLinks,
  visibleRows,
} from "./gantt";

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 7, 21);

function task(key: string, wave: number, startH: number, endH: number, extra: Partial<ScheduledTask> = {}): ScheduledTask {
  return {
    key,
    wave,
    name: key,
    team: null,
    minutes: (endH - startH) * 60,
    downtime: false,
    milestone: null,
    target: null,
    backout: [],
    nothing_to_undo: null,
    point_of_no_return: false,
    cis: [],
    pinned: false,
    start: new Date(T0 + startH * H).toISOString(),
    end: new Date(T0 + endH * H).toISOString(),
    slack_minutes: 0,
    critical: true,
    unplaced: null,
    baseline_start: null,
    baseline_end: null,
    actual_start: null,
    actual_end: null,
    variance_minutes: null,
    ...extra,
  };
}

const schedule: Schedule = {
  release: "REL-1",
  strategy: "phased",
  model: "m",
  starts_at: new Date(T0).toISOString(),
  finish: new Date(T0 + 30 * H).toISOString(),
  waves: [
    { name: "Pilot", tz: "UTC", window: null, targets: [], observation_minutes: 0 },
    { name: "Rest", tz: "UTC", window: null, targets: [], observation_minutes: 0 },
  ],
  tasks: [
    task("1.a", 0, 0, 1),
    task("1.b", 0, 1, 3),
    task("2.a", 1, 27, 28, { unplaced: null }),
    task("2.b", 1, 28, 30, { critical: false }),
  ],
  deps: [
    { from: "1.a", to: "1.b", kind: "fs", lag_minutes: 0 },
    { from: "1.b", to: "2.a", kind: "fs", lag_minutes: 0 },
    { from: "2.a", to: "2.b", kind: "ss", lag_minutes: 0 },
  ],
  windows: [],
  freezes: [],
  conflicts: [{ kind: "freeze", message: asWritten("m"), with: "Year end", task: "2.b" }],
  version: 1,
  abort: null,
};

describe("rowsFromSchedule", () => {
  it("groups tasks under their waves and links them by row", () => {
    const data = rowsFromSchedule(schedule);
    expect(data.rows.map((r) => `${r.kind}:${r.id}`)).toEqual([
      "group:wave-0",
      "task:1.a",
      "task:1.b",
      "group:wave-1",
      "task:2.a",
      "task:2.b",
    ]);
    expect(data.links).toEqual([
      { from: 1, to: 2, kind: "fs" },
      { from: 2, to: 4, kind: "fs" },
      { from: 4, to: 5, kind: "ss" },
    ]);
    // The wave row spans its tasks; a conflicting task is flagged.
    expect(data.rows[3]!.start).toBe(T0 + 27 * H);
    expect(data.rows[5]!.flagged).toBe(true);
    expect(data.rows[4]!.flagged).toBe(false);
    expect(data.start).toBeLessThan(T0);
    expect(data.end).toBeGreaterThan(T0 + 30 * H);
  });
});

describe("virtualization", () => {
  it("draws only the rows in view, plus a small margin", () => {
    expect(visibleRows(50_000, 0, 10 * ROW_HEIGHT)).toEqual([0, 13]);
    const [first, last] = visibleRows(50_000, 20_000 * ROW_HEIGHT, 10 * ROW_HEIGHT);
    expect([first, last]).toEqual([19_997, 20_013]);
    expect(visibleRows(5, 0, 1000)).toEqual([0, 5]);
  });

  it("finds the links of the visible rows without looking at the rest", () => {
    const data = generatedPlan(10_000);
    const links = visibleLinks(data, 5_000, 5_020);
    expect(links.length).toBeGreaterThan(0);
    expect(links.length).toBeLessThan(100);
    for (const i of links) {
      const link = data.links[i]!;
      expect((link.from >= 5_000 && link.from < 5_020) || (link.to >= 5_000 && link.to < 5_020)).toBe(true);
    }
  });
});

describe("time scale and geometry", () => {
  it("maps time to x and back", () => {
    const scale = new TimeScale(T0, 10);
    expect(scale.x(T0 + 3 * H)).toBe(30);
    expect(scale.t(30)).toBe(T0 + 3 * H);
  });

  it("draws a finish-to-start link from the end of one bar to the start of the next", () => {
    const data = rowsFromSchedule(schedule);
    const scale = new TimeScale(T0, 10);
    expect(linkPath(data, data.links[0]!, scale)).toBe(`M10,${1.5 * ROW_HEIGHT} H18 V${2.5 * ROW_HEIGHT - (ROW_HEIGHT / 2 - 4)} H2 V${2.5 * ROW_HEIGHT} H10`);
    // Start-to-start leaves from the start.
    expect(linkPath(data, data.links[2]!, scale)!.startsWith("M270,")).toBe(true);
  });

  it("labels ticks at least 80 px apart and only in the visible range", () => {
    const scale = new TimeScale(T0, PX_PER_HOUR.hour);
    const marks = ticks(scale, 0, 900, "en", "UTC");
    expect(marks.length).toBeGreaterThan(5);
    expect(marks.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.x - marks[i - 1]!.x).toBeGreaterThanOrEqual(80);
    // At month zoom the ticks are whole days (weeks), without a time of day.
    expect(ticks(new TimeScale(T0, PX_PER_HOUR.month), 0, 1000, "en", "UTC")[0]!.label).not.toContain(":");
  });

  it("draws the axis on the wall clock of the plan's zone, across a change of the clocks", () => {
    // Berlin's clocks go forward on 28 March 2027: midnight is 23:00 UTC before, 22:00 after.
    const start = Date.parse("2027-03-26T12:00:00Z");
    const scale = new TimeScale(start, PX_PER_HOUR.day);
    const days = ticks(scale, 0, scale.x(Date.parse("2027-03-31T00:00:00Z")), "en", "Europe/Berlin").map((m) => new Date(scale.t(m.x)).toISOString());
    expect(days).toEqual(["2027-03-25T23:00:00.000Z", "2027-03-26T23:00:00.000Z", "2027-03-27T23:00:00.000Z", "2027-03-28T22:00:00.000Z", "2027-03-29T22:00:00.000Z", "2027-03-30T22:00:00.000Z"]);
    const inTokyo = ticks(scale, 0, 400, "en", "Asia/Tokyo").map((m) => new Date(scale.t(m.x)).toISOString());
    expect(inTokyo[0]).toBe("2027-03-25T15:00:00.000Z");
  });

  it("snaps to 15 minutes, fits a span and steps through zoom levels", () => {
    expect(snap(T0 + 7 * 60_000)).toBe(T0);
    expect(snap(T0 + 8 * 60_000)).toBe(T0 + 15 * 60_000);
    expect(fitPxPerHour(T0, T0 + 10 * H, 1000)).toBe(100);
    expect(nextZoom(PX_PER_HOUR.day, 1)).toBe(PX_PER_HOUR.hour);
    expect(nextZoom(PX_PER_HOUR.day, -1)).toBe(PX_PER_HOUR.week);
    expect(nextZoom(PX_PER_HOUR.month, -1)).toBe(PX_PER_HOUR.month);
    expect(nextZoom(3, 1)).toBe(PX_PER_HOUR.day);
  });

  it("moves the selection past wave headers", () => {
    const rows = rowsFromSchedule(schedule).rows;
    expect(step(rows, 2, 1)).toBe(4);
    expect(step(rows, 4, -1)).toBe(2);
    expect(step(rows, 1, -1)).toBe(1);
  });
});

describe("an edit's changes", () => {
  const base = { ...schedule, version: 4 };
  const changes = (extra: Partial<ScheduleChanges>): ScheduleUpdate => ({
    changes: {
      base_version: 4,
      version: 5,
      strategy: base.strategy,
      model: base.model,
      starts_at: base.starts_at,
      finish: base.finish,
      waves: base.waves,
      abort: null,
      tasks: [],
      slack: [],
      order: null,
      deps: null,
      conflicts: null,
      windows: null,
      freezes: null,
      ...extra,
    },
  });

  it("patch only the rows of the tasks that changed, and give the rows made whole again", () => {
    const moved = task("1.b", 0, 2, 4, { pinned: true });
    const applied = applyUpdate(base, changes({ tasks: [moved], slack: [["2.b", 0, true], ["2.a", 15, true]] }))!;
    expect(applied.schedule.version).toBe(5);
    expect(applied.schedule.tasks.map((x) => x.key)).toEqual(["1.a", "1.b", "2.a", "2.b"]);
    expect(applied.schedule.tasks[1]).toBe(moved);
    expect(applied.schedule.tasks[0]).toBe(base.tasks[0]);
    expect(applied.schedule.tasks[2]!.slack_minutes).toBe(15);
    // 2.b turned critical, which its bar shows; 2.a's slack is only a cell.
    expect([...applied.changed!].sort()).toEqual(["1.b", "2.b"]);
    const patched = patchRows(rowsFromSchedule(base), applied.schedule, applied.changed!, applied.relink);
    expect(patched).toEqual(rowsFromSchedule(applied.schedule));
  });

  it("flag the tasks of conflicts that came and went, and link again when the dependencies changed", () => {
    const conflicted = { ...base, conflicts: [{ kind: "freeze" as const, message: asWritten("in a freeze"), with: "Year end", task: "1.a" }] };
    const deps = [{ from: "1.a", to: "2.b", kind: "fs" as const, lag_minutes: 0 }];
    const conflicts = [{ kind: "overlap" as const, message: asWritten("REL-2 too"), with: "REL-2", task: "2.a" }];
    const applied = applyUpdate(conflicted, changes({ conflicts, deps }))!;
    expect(applied.relink).toBe(true);
    const patched = patchRows(rowsFromSchedule(conflicted), applied.schedule, applied.changed!, applied.relink)!;
    expect(patched).toEqual(rowsFromSchedule(applied.schedule));
    expect(patched.rows.filter((r) => r.flagged).map((r) => r.id)).toEqual(["2.a"]);
    expect(patched.links).toHaveLength(1);
  });

  it("make every row again when tasks came or went", () => {
    const added = task("1.c", 0, 3, 4);
    const applied = applyUpdate(base, changes({ tasks: [added], order: ["1.a", "1.b", "1.c", "2.a"] }))!;
    expect(applied.reordered).toBe(true);
    expect(applied.schedule.tasks.map((x) => x.key)).toEqual(["1.a", "1.b", "1.c", "2.a"]);
    // The rows of the tasks that stayed are kept, the rest made: the same as all made again.
    const before = rowsFromSchedule(base);
    const after = rowsFromSchedule(applied.schedule, { data: before, changed: applied.changed! });
    expect(after).toEqual(rowsFromSchedule(applied.schedule));
    expect(after.rows[after.rowOf.get("1.a")!]).toBe(before.rows[before.rowOf.get("1.a")!]);
  });

  it("refuse changes to another version than the one shown, and take a whole schedule as it is", () => {
    expect(applyUpdate({ ...base, version: 3 }, changes({}))).toBeNull();
    expect(applyUpdate(null, changes({}))).toBeNull();
    const whole = applyUpdate(null, { whole: base })!;
    expect(whole.schedule).toBe(base);
    expect(whole.changed).toBeNull();
    expect(whole.reordered).toBe(true);
  });
});
