// The Gantt's model math, kept out of the DOM code: rows, time scale, what is visible,
// ticks, link paths, snapping. The component only draws what these functions return, so a
// plan of 50,000 tasks costs no more to draw than the 20 rows on screen.

import type { DepKind } from "../bindings/DepKind";
import { offsetMinutes } from "./zones";
import type { Schedule } from "../bindings/Schedule";
import type { ScheduledTask } from "../bindings/ScheduledTask";

export type Zoom = "hour" | "day" | "week" | "month";
export const ZOOMS: Zoom[] = ["hour", "day", "week", "month"];
export const PX_PER_HOUR: Record<Zoom, number> = { hour: 90, day: 10, week: 2.2, month: 0.5 };

export const ROW_HEIGHT = 36;
export const HEADER_HEIGHT = 52;
const HOUR = 3_600_000;
const MINUTE = 60_000;

export type RowKind = "group" | "task" | "milestone" | "release";

export interface GanttRow {
  /** A task key, a release key or a wave id: what callbacks get back. */
  id: string;
  kind: RowKind;
  label: string;
  /** ms since the epoch; null when the item has no place in time. */
  start: number | null;
  end: number | null;
  critical?: boolean;
  pinned?: boolean;
  downtime?: boolean;
  baselineStart?: number | null;
  baselineEnd?: number | null;
  /** Shown in red with a warning mark (a conflict, an unplaced task). */
  flagged?: boolean;
  /** A lighter bar: dates only planned, not scheduled. */
  tentative?: boolean;
}

export interface GanttLink {
  from: number;
  to: number;
  kind: DepKind;
}

export interface GanttBand {
  name: string;
  start: number;
  end: number;
  kind: "window" | "freeze";
}

/** A moment drawn as a labelled line: a wave's latest go/no-go or its point of no return. */
export interface GanttMarker {
  at: number;
  label: string;
  /** The latest go/no-go, the point of no return, or where a rollback ends. */
  kind: "go" | "ponr" | "end";
}

/** A bar drawn faintly in a row: the rollback step that undoes that row's task. */
export interface GanttGhost {
  row: string;
  start: number;
  end: number;
  label: string;
}

export interface GanttData {
  rows: GanttRow[];
  links: GanttLink[];
  /** Link indexes touching each row, to find the links of the visible rows quickly. */
  linksOfRow: number[][];
  start: number;
  end: number;
}

/** Indexes the links by row. */
export function withLinkIndex(rows: GanttRow[], links: GanttLink[]): number[][] {
  const linksOfRow: number[][] = rows.map(() => []);
  links.forEach((link, i) => {
    linksOfRow[link.from]?.push(i);
    linksOfRow[link.to]?.push(i);
  });
  return linksOfRow;
}

/** Span of all rows, padded so bars never touch the edges. */
export function extent(rows: GanttRow[], fallback: number): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const row of rows) {
    if (row.start !== null && row.start < start) start = row.start;
    if (row.end !== null && row.end > end) end = row.end;
    if (row.baselineStart != null && row.baselineStart < start) start = row.baselineStart;
    if (row.baselineEnd != null && row.baselineEnd > end) end = row.baselineEnd;
  }
  if (!Number.isFinite(start)) return { start: fallback - 24 * HOUR, end: fallback + 7 * 24 * HOUR };
  const pad = Math.max(2 * HOUR, (end - start) * 0.04);
  return { start: start - pad, end: end + pad };
}

/** A schedule's Gantt rows, with the row of each task, so that an edit can patch its rows. */
export interface PlanRows extends GanttData {
  rowOf: Map<string, number>;
}

function taskRow(task: ScheduledTask, conflicted: Set<string>): GanttRow {
  return {
    id: task.key,
    kind: task.milestone ? "milestone" : "task",
    label: task.name,
    start: task.start ? Date.parse(task.start) : null,
    end: task.end ? Date.parse(task.end) : null,
    critical: task.critical,
    pinned: task.pinned,
    downtime: task.downtime,
    baselineStart: task.baseline_start ? Date.parse(task.baseline_start) : null,
    baselineEnd: task.baseline_end ? Date.parse(task.baseline_end) : null,
    flagged: task.unplaced !== null || conflicted.has(task.key),
  };
}

/** Each wave's header row spans its tasks' rows, which follow it. */
function spanWaves(rows: GanttRow[]): void {
  let group: GanttRow | null = null;
  const close = () => {
    if (group && group.start === Infinity) group.start = null;
    if (group && group.end === -Infinity) group.end = null;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.kind === "group") {
      close();
      group = { ...row, start: Infinity, end: -Infinity };
      rows[i] = group;
    } else if (group) {
      if (row.start !== null && row.start < group.start!) group.start = row.start;
      if (row.end !== null && row.end > group.end!) group.end = row.end;
    }
  }
  close();
}

function linksOf(schedule: Schedule, rowOf: Map<string, number>): GanttLink[] {
  const links: GanttLink[] = [];
  for (const dep of schedule.deps) {
    const from = rowOf.get(dep.from);
    const to = rowOf.get(dep.to);
    if (from !== undefined && to !== undefined) links.push({ from, to, kind: dep.kind });
  }
  return links;
}

/**
 * A schedule as Gantt rows: a header row per wave, then its tasks in plan order. With
 * `previous`, the rows of tasks not `changed` are taken from it as they are (at 10,000 tasks,
 * making them again costs most of an added task's time).
 */
export function rowsFromSchedule(schedule: Schedule, previous?: { data: PlanRows; changed: Set<string> }): PlanRows {
  const rows: GanttRow[] = [];
  const rowOf = new Map<string, number>();
  const conflicted = new Set(schedule.conflicts.map((c) => c.task));
  const byWave: ScheduledTask[][] = schedule.waves.map(() => []);
  for (const task of schedule.tasks) byWave[task.wave]?.push(task);
  const reuse = (task: ScheduledTask): GanttRow | undefined => {
    if (!previous || previous.changed.has(task.key)) return undefined;
    const at = previous.data.rowOf.get(task.key);
    return at === undefined ? undefined : previous.data.rows[at];
  };
  schedule.waves.forEach((wave, w) => {
    rows.push({ id: `wave-${w}`, kind: "group", label: wave.name, start: null, end: null });
    for (const task of byWave[w]!) {
      rowOf.set(task.key, rows.length);
      rows.push(reuse(task) ?? taskRow(task, conflicted));
    }
  });
  spanWaves(rows);
  const links = linksOf(schedule, rowOf);
  const { start, end } = extent(rows, Date.parse(schedule.starts_at));
  return { rows, links, linksOfRow: withLinkIndex(rows, links), start, end, rowOf };
}

/**
 * `data` after an edit that kept every task in its row: the rows of the `changed` tasks made
 * again from `schedule`, the waves' spans and the extent after them, and the links again only
 * when the dependencies changed. Null when a changed task has no row: make them all again.
 */
export function patchRows(data: PlanRows, schedule: Schedule, changed: Set<string>, relink: boolean): PlanRows | null {
  const rows = data.rows.slice();
  const conflicted = new Set(schedule.conflicts.map((c) => c.task));
  const byKey = new Map<string, ScheduledTask>();
  for (const task of schedule.tasks) if (changed.has(task.key)) byKey.set(task.key, task);
  for (const key of changed) {
    const row = data.rowOf.get(key);
    const task = byKey.get(key);
    if (row === undefined || task === undefined) return null;
    rows[row] = taskRow(task, conflicted);
  }
  spanWaves(rows);
  const { start, end } = extent(rows, Date.parse(schedule.starts_at));
  if (!relink) return { ...data, rows, start, end };
  const links = linksOf(schedule, data.rowOf);
  return { rows, links, linksOfRow: withLinkIndex(rows, links), start, end, rowOf: data.rowOf };
}

/** Maps time to x and back for a chart starting at `origin`. */
export class TimeScale {
  readonly pxPerMs: number;

  constructor(
    readonly origin: number,
    readonly pxPerHour: number,
  ) {
    this.pxPerMs = pxPerHour / HOUR;
  }

  x(t: number): number {
    return (t - this.origin) * this.pxPerMs;
  }

  t(x: number): number {
    return this.origin + x / this.pxPerMs;
  }
}

/** The rows in view, with a few more above and below so fast scrolling shows no gaps. */
export function visibleRows(count: number, scrollTop: number, height: number, overscan = 3): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_HEIGHT) + overscan);
  return [first, Math.max(first, last)];
}

/** Links with at least one end among rows [first, last). */
export function visibleLinks(data: GanttData, first: number, last: number): number[] {
  const seen = new Set<number>();
  for (let row = first; row < last; row++) {
    for (const link of data.linksOfRow[row] ?? []) seen.add(link);
  }
  return [...seen];
}

/** An elbow from the predecessor's start or end to the successor's start or end. */
export function linkPath(data: GanttData, link: GanttLink, scale: TimeScale): string | null {
  const a = data.rows[link.from];
  const b = data.rows[link.to];
  if (!a || !b || a.start === null || a.end === null || b.start === null || b.end === null) return null;
  const fromX = scale.x(link.kind === "ss" ? a.start : a.end);
  const toEnd = link.kind === "ff";
  const toX = scale.x(toEnd ? b.end : b.start);
  const y1 = link.from * ROW_HEIGHT + ROW_HEIGHT / 2;
  const y2 = link.to * ROW_HEIGHT + ROW_HEIGHT / 2;
  const out = link.kind === "ss" ? fromX - 8 : fromX + 8;
  const into = toEnd ? toX + 8 : toX - 8;
  const midY = y2 - Math.sign(y2 - y1 || 1) * (ROW_HEIGHT / 2 - 4);
  return `M${fromX},${y1} H${out} V${midY} H${into} V${y2} H${toX}`;
}

export interface Tick {
  x: number;
  label: string;
  major: boolean;
}

const STEPS: [number, Intl.DateTimeFormatOptions][] = [
  [HOUR, { hour: "2-digit", minute: "2-digit" }],
  [6 * HOUR, { weekday: "short", hour: "2-digit", minute: "2-digit" }],
  [24 * HOUR, { weekday: "short", day: "numeric", month: "short" }],
  [7 * 24 * HOUR, { day: "numeric", month: "short" }],
  [30 * 24 * HOUR, { month: "short", year: "numeric" }],
];

// The axis is drawn on the wall clock of one zone: a "wall" time is that clock's reading kept
// in a Date's UTC fields, so that day and month arithmetic needs no zone of its own.

/** The wall-clock reading of `t` in `zone` rounded down to its step (hour, 6 h, day, Monday, month). */
function floorTo(t: number, step: number, zone: string): Date {
  const d = new Date(t + offsetMinutes(t, zone) * MINUTE);
  d.setUTCMinutes(0, 0, 0);
  if (step >= 6 * HOUR) d.setUTCHours(step === 6 * HOUR ? d.getUTCHours() - (d.getUTCHours() % 6) : 0);
  if (step === 7 * 24 * HOUR) d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (step >= 30 * 24 * HOUR) d.setUTCDate(1);
  return d;
}

function advance(d: Date, step: number): void {
  if (step >= 30 * 24 * HOUR) d.setUTCMonth(d.getUTCMonth() + 1);
  else if (step >= 24 * HOUR) d.setUTCDate(d.getUTCDate() + step / (24 * HOUR));
  else d.setTime(d.getTime() + step);
}

/** The instant a wall-clock reading in `zone` stands for (the later one in a repeated hour). */
function instantOf(wall: number, zone: string): number {
  const guess = wall - offsetMinutes(wall, zone) * MINUTE;
  return wall - offsetMinutes(guess, zone) * MINUTE;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are costly to make (milliseconds in WebKit): one per locale, zone and step. */
function formatterFor(locale: string, zone: string, step: number, format: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}/${zone}/${step}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...format, hourCycle: "h23", timeZone: zone });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Ticks for the visible time range only, at least ~80 px apart, on the boundaries of `zone`'s
 * wall clock (the plan's zone: its first wave's). */
export function ticks(scale: TimeScale, fromX: number, toX: number, locale: string, zone: string): Tick[] {
  const [step, format] = STEPS.find(([ms]) => ms * scale.pxPerMs >= 80) ?? STEPS[STEPS.length - 1]!;
  const formatter = formatterFor(locale, zone, step, format);
  const to = scale.t(toX);
  const result: Tick[] = [];
  let last = -Infinity;
  for (const wall = floorTo(scale.t(fromX), step, zone); result.length < 400; advance(wall, step)) {
    const at = instantOf(wall.getTime(), zone);
    if (at > to) break;
    // A wall-clock hour that happens twice (DST's end) is drawn once.
    if (at <= last) continue;
    last = at;
    const major = step >= 24 * HOUR || (wall.getUTCHours() === 0 && wall.getUTCMinutes() === 0);
    result.push({ x: scale.x(at), label: formatter.format(at), major });
  }
  return result;
}

/** The zoom (px per hour) that shows `start`..`end` in `width` pixels. */
export function fitPxPerHour(start: number, end: number, width: number): number {
  const hours = Math.max(1, (end - start) / HOUR);
  return Math.min(PX_PER_HOUR.hour * 2, Math.max(0.05, width / hours));
}

/** Rounds to the nearest `minutes`. */
export function snap(t: number, minutes = 15): number {
  const step = minutes * MINUTE;
  return Math.round(t / step) * step;
}

/** The next zoom in or out, from a px-per-hour that may come from "fit". */
export function nextZoom(pxPerHour: number, direction: 1 | -1): number {
  const levels = ZOOMS.map((z) => PX_PER_HOUR[z]).sort((a, b) => a - b);
  if (direction > 0) return levels.find((l) => l > pxPerHour * 1.01) ?? levels[levels.length - 1]!;
  return [...levels].reverse().find((l) => l < pxPerHour / 1.01) ?? levels[0]!;
}

/** The next selectable row in `direction` (group rows are skipped), or the same row. */
export function step(rows: GanttRow[], from: number, direction: 1 | -1): number {
  for (let i = from + direction; i >= 0 && i < rows.length; i += direction) {
    if (rows[i]!.kind !== "group") return i;
  }
  return from;
}

/** A generated plan for the benchmark: `n` tasks in waves of 500, random dependencies. */
export function generatedPlan(n: number, seed = 1): GanttData {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const origin = Date.UTC(2026, 2, 2);
  const rows: GanttRow[] = [];
  const links: GanttLink[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 500 === 0) rows.push({ id: `wave-${i / 500}`, kind: "group", label: `Wave ${i / 500 + 1}`, start: null, end: null });
    const row = rows.length;
    const preds = i === 0 ? [] : [row - 1 - Math.floor(random() * Math.min(i, 20))].filter((p) => rows[p]?.kind !== "group");
    const start = Math.max(origin + Math.floor(i / 50) * HOUR, ...preds.map((p) => ends[p] ?? origin));
    const end = start + (15 + Math.floor(random() * 120)) * MINUTE;
    rows.push({ id: `t${i}`, kind: "task", label: `Task ${i + 1}`, start, end, critical: random() < 0.2 });
    ends[row] = end;
    for (const p of preds) links.push({ from: p, to: row, kind: "fs" });
  }
  const { start, end } = extent(rows, origin);
  return { rows, links, linksOfRow: withLinkIndex(rows, links), start, end };
}
