import { describe, expect, it } from "vitest";

import type { Schedule } from "../bindings/Schedule";
import type { ScheduleChanges } from "../bindings/ScheduleChanges";
import { ApiError, asWritten, toErrorReport, wholeSchedule, wholeUpdate } from "./api";

describe("toErrorReport", () => {
  it("keeps a report from the Rust side as it is", () => {
    const report = {
      kind: "validation",
      message: "title: must not be empty",
      says: { key: "error.as_written", params: { text: { text: "title: must not be empty" } } },
      fields: [{ field: "title", message: "must not be empty" }],
      rules: [],
    };
    expect(toErrorReport(report)).toEqual(report);
  });

  it("turns anything else into an internal error with a message", () => {
    expect(toErrorReport("command not allowed")).toEqual({
      kind: "internal",
      message: "command not allowed",
      says: asWritten("command not allowed"),
      fields: [],
      rules: [],
    });
    expect(toErrorReport({ kind: "bogus", message: "x" }).kind).toBe("internal");
    expect(toErrorReport(new Error("boom")).message).toBe("boom");
    expect(toErrorReport({ kind: "bogus", message: "said" }).message).toBe("said");
  });

  it("keeps a refusal by role, with its words", () => {
    const says = { key: "error.forbidden", params: { login: { text: "vera" }, role: { word: "team_role.planner" } } };
    const report = { kind: "forbidden", message: "vera may not do this: it needs the planner role", says, fields: [], rules: [] };
    expect(toErrorReport(report)).toEqual(report);
  });
});

describe("ApiError", () => {
  it("maps fields to their messages", () => {
    const error = new ApiError({
      kind: "conflict",
      message: "REL-1 already exists",
      says: asWritten("REL-1 already exists"),
      fields: [{ field: "key", message: "REL-1 already exists" }],
      rules: [],
    });
    expect(error.fieldMessages()).toEqual({ key: "REL-1 already exists" });
    expect(error.message).toBe("REL-1 already exists");
  });
});

describe("a schedule from the wire", () => {
  // As `plan/layout.rs` writes it: a task's defaults left out.
  const wire = () =>
    ({
      tasks: [
        { key: "t1", wave: 0, name: "Stop", minutes: 15 },
        { key: "t2", wave: 0, name: "Copy", minutes: 30, team: "ops", critical: true, cis: ["db"], start: "2026-12-01T08:00:00Z" },
      ],
    }) as unknown as Schedule;

  it("gets its tasks' defaults back, and keeps what was sent", () => {
    const [bare, sent] = wholeSchedule(wire()).tasks;
    expect(bare).toEqual({
      key: "t1", wave: 0, name: "Stop", minutes: 15, team: null, downtime: false, milestone: null, target: null,
      backout: [], nothing_to_undo: null, point_of_no_return: false, cis: [], pinned: false, start: null, end: null,
      slack_minutes: null, critical: false, unplaced: null, baseline_start: null, baseline_end: null,
      actual_start: null, actual_end: null, variance_minutes: null,
    });
    expect(sent).toMatchObject({ team: "ops", critical: true, cis: ["db"], start: "2026-12-01T08:00:00Z", end: null });
  });

  it("whole or as changes", () => {
    const whole = wholeUpdate({ whole: wire() });
    expect("whole" in whole && whole.whole.tasks[0]?.unplaced).toBeNull();
    const changes = wholeUpdate({ changes: wire() as unknown as ScheduleChanges });
    expect("changes" in changes && changes.changes.tasks[0]?.downtime).toBe(false);
  });
});

describe("a refused field", () => {
  it("reads in the window's language when the core sent it as a message", async () => {
    const { setLocale } = await import("./i18n.svelte");
    setLocale("de", false);
    const error = new ApiError({
      kind: "validation",
      message: "title: must not be empty",
      says: asWritten("title: must not be empty"),
      fields: [
        { field: "title", message: "must not be empty", says: { key: "field.empty", params: {} } },
        { field: "owner", message: "only in English" },
      ],
      rules: [],
    });
    expect(error.fieldMessages()).toEqual({ title: "darf nicht leer sein", owner: "only in English" });
    setLocale("en", false);
  });
});

