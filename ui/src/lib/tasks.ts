import type { BackoutStep } from "../bindings/BackoutStep";
import type { Milestone } from "../bindings/Milestone";
import type { ModelTask } from "../bindings/ModelTask";

/** How a task is undone, as the task form asks it: one of three ways, or not said yet. */
export type UndoMode = "steps" | "nothing" | "ponr" | "unsaid";

/** A task as typed in the form: numbers and steps still text. */
export interface TaskFields {
  key: string;
  name: string;
  minutes: string;
  team: string;
  downtime: boolean;
  milestone: Milestone | "";
  target: string;
  undo: UndoMode;
  /** One step a line: "Restore database = 45". */
  steps: string;
  nothingReason: string;
}

export function emptyTask(): TaskFields {
  return {
    key: "",
    name: "",
    minutes: "30",
    team: "",
    downtime: false,
    milestone: "",
    target: "",
    undo: "unsaid",
    steps: "",
    nothingReason: "",
  };
}

export function fieldsOf(task: ModelTask): TaskFields {
  return {
    key: task.key,
    name: task.name,
    minutes: String(task.minutes),
    team: task.team ?? "",
    downtime: task.downtime,
    milestone: task.milestone ?? "",
    target: task.target ?? "",
    undo: task.point_of_no_return ? "ponr" : task.nothing_to_undo !== null ? "nothing" : task.backout.length ? "steps" : "unsaid",
    steps: task.backout.map((s) => `${s.name} = ${s.minutes}`).join("\n"),
    nothingReason: task.nothing_to_undo ?? "",
  };
}

/** The steps of "name = minutes" lines, or the line that is not one (1-based). */
export function parseSteps(text: string, team: string | null): { steps: BackoutStep[] } | { badLine: number } {
  const steps: BackoutStep[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const match = /^(.+?)\s*=\s*(\d+)$/.exec(line);
    if (!match) return { badLine: i + 1 };
    steps.push({ name: match[1]!.trim(), minutes: Number(match[2]), team });
  }
  return { steps };
}

/** The task the fields describe; field errors (by core field name) when a value cannot be read. */
export function taskOf(f: TaskFields, badStepsMessage: (line: number) => string): { task: ModelTask } | { errors: Record<string, string> } {
  const team = f.team.trim() || null;
  let backout: BackoutStep[] = [];
  if (f.undo === "steps") {
    const parsed = parseSteps(f.steps, team);
    if ("badLine" in parsed) return { errors: { backout: badStepsMessage(parsed.badLine) } };
    backout = parsed.steps;
  }
  const minutes = f.milestone ? 0 : Number(f.minutes);
  return {
    task: {
      key: f.key.trim(),
      name: f.name.trim(),
      minutes: Number.isFinite(minutes) ? Math.round(minutes) : -1,
      team,
      downtime: f.downtime,
      milestone: f.milestone || null,
      target: f.target.trim() || null,
      backout,
      nothing_to_undo: f.undo === "nothing" ? f.nothingReason : null,
      point_of_no_return: f.undo === "ponr",
    },
  };
}
