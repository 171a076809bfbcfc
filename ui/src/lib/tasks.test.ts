import { describe, expect, it } from "vitest";

import { emptyTask, fieldsOf, parseSteps, taskOf } from "./tasks";

describe("task fields", () => {
  it("reads backout steps a line each and names the line that is not one", () => {
    expect(parseSteps("Restore database = 45\n\nStart services=10", "Ops")).toEqual({
      steps: [
        { name: "Restore database", minutes: 45, team: "Ops" },
        { name: "Start services", minutes: 10, team: "Ops" },
      ],
    });
    expect(parseSteps("Restore database = 45\nno minutes", null)).toEqual({ badLine: 2 });
  });

  it("round-trips a task and keeps only the chosen way of undoing it", () => {
    const fields = { ...emptyTask(), key: "migrate", name: "Migrate", minutes: "60", undo: "ponr" as const, steps: "x = 5" };
    const made = taskOf(fields, (n) => `line ${n}`);
    if (!("task" in made)) throw new Error("expected a task");
    expect(made.task.point_of_no_return).toBe(true);
    expect(made.task.backout).toEqual([]);
    expect(fieldsOf(made.task).undo).toBe("ponr");
    const bad = taskOf({ ...fields, undo: "steps", steps: "oops" }, (n) => `line ${n}`);
    expect(bad).toEqual({ errors: { backout: "line 1" } });
  });
});
