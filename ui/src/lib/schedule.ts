// A plan edit answers with what changed since the schedule the window holds (at 10,000 tasks
// the whole schedule is 4.8 MB of JSON); this makes the next schedule of the two.

import type { Schedule } from "../bindings/Schedule";
import type { ScheduledTask } from "../bindings/ScheduledTask";
import type { ScheduleUpdate } from "../bindings/ScheduleUpdate";

export interface Applied {
  schedule: Schedule;
  /** The tasks whose rows must be made again; null: every row. */
  changed: Set<string> | null;
  /** Tasks came, went or changed places, or a wave changed: the rows are laid out again. */
  reordered: boolean;
  /** The dependencies changed: the links must be drawn again. */
  relink: boolean;
}

/** The schedule `update` makes of `current`; null when the changes are not to `current`'s
 * version (read the whole schedule again). */
export function applyUpdate(current: Schedule | null, update: ScheduleUpdate): Applied | null {
  if ("whole" in update) return { schedule: update.whole, changed: null, reordered: true, relink: true };
  const c = update.changes;
  if (!current || current.version !== c.base_version) return null;
  const changed = new Set<string>();
  const replaced = new Map<string, ScheduledTask>();
  for (const task of c.tasks) {
    replaced.set(task.key, task);
    changed.add(task.key);
  }
  const slack = new Map(c.slack.map(([key, minutes, critical]) => [key, { minutes, critical }]));
  const next = (task: ScheduledTask): ScheduledTask => {
    const whole = replaced.get(task.key);
    if (whole) return whole;
    const shift = slack.get(task.key);
    if (!shift) return task;
    // Criticality is drawn in the row; slack only in a cell that reads the task.
    if (shift.critical !== task.critical) changed.add(task.key);
    return { ...task, slack_minutes: shift.minutes, critical: shift.critical };
  };
  let tasks: ScheduledTask[];
  let reordered = false;
  if (c.order) {
    const old = new Map(current.tasks.map((task) => [task.key, task]));
    tasks = [];
    for (const key of c.order) {
      const task = replaced.get(key) ?? old.get(key);
      if (!task) return null;
      tasks.push(next(task));
    }
    reordered = true;
  } else {
    tasks = current.tasks.map(next);
  }
  if (c.conflicts) for (const conflict of [...current.conflicts, ...c.conflicts]) changed.add(conflict.task);
  const schedule: Schedule = {
    ...current,
    strategy: c.strategy,
    model: c.model,
    starts_at: c.starts_at,
    finish: c.finish,
    waves: c.waves,
    abort: c.abort,
    tasks,
    deps: c.deps ?? current.deps,
    conflicts: c.conflicts ?? current.conflicts,
    windows: c.windows ?? current.windows,
    freezes: c.freezes ?? current.freezes,
    version: c.version,
  };
  // A wave renamed or added changes the header rows.
  if (JSON.stringify(current.waves) !== JSON.stringify(c.waves)) reordered = true;
  return { schedule, changed, reordered, relink: c.deps !== null };
}
