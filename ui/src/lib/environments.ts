// Test environments as the pages show them: the booking timeline's rows, the inventory's
// filters, reading inventory files in the window, and datetime-local fields. No DOM.

import type { Booking } from "../bindings/Booking";
import type { EnvironmentView } from "../bindings/EnvironmentView";
import type { InventoryFile } from "../bindings/InventoryFile";
import { extent, withLinkIndex, type GanttData, type GanttRow } from "./gantt";

/**
 * Every environment a group row, each of its bookings a bar under it (labelled by release).
 * A booking is flagged when, at its start or at any start inside it, more bookings hold the
 * environment than its capacity, or one of them needs it alone (code or config change).
 */
export function bookingTimeline(envs: { name: string; capacity: number }[], bookings: Booking[], now: number): GanttData {
  const rows: GanttRow[] = [];
  for (const { name: env, capacity } of envs) {
    const own = bookings.filter((b) => b.env === env).sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
    const spans = own.map((b) => [Date.parse(b.from), Date.parse(b.to)] as const);
    rows.push({
      id: `env:${env}`,
      kind: "group",
      label: env,
      start: spans.length ? Math.min(...spans.map((s) => s[0])) : null,
      end: spans.length ? Math.max(...spans.map((s) => s[1])) : null,
    });
    own.forEach((b, i) => {
      const [start, end] = spans[i] ?? [0, 0];
      const others = own.filter((_, j) => j !== i && (spans[j]?.[0] ?? 0) < end && start < (spans[j]?.[1] ?? 0));
      const exclusive = (x: Booking) => x.purpose !== "regression";
      const atOnce = Math.max(
        0,
        ...[start, ...others.map((o) => Math.max(Date.parse(o.from), start))].map(
          (t) => 1 + others.filter((o) => Date.parse(o.from) <= t && t < Date.parse(o.to)).length,
        ),
      );
      rows.push({
        id: `booking:${b.id}`,
        kind: "task",
        label: `${b.release} · ${b.purpose.replace("_", " ")}`,
        start,
        end,
        flagged: others.length > 0 && (exclusive(b) || others.some(exclusive) || atOnce > capacity),
      });
    });
  }
  const { start, end } = extent(rows, now);
  return { rows, links: [], linksOfRow: withLinkIndex(rows, []), start, end };
}

export interface EnvFilter {
  state: string;
  purpose: string;
  drift: boolean;
  oldSnapshots: boolean;
}

export function filterEnvironments(envs: EnvironmentView[], filter: EnvFilter): EnvironmentView[] {
  return envs.filter(
    (e) =>
      (!filter.state || e.state === filter.state) &&
      (!filter.purpose || e.purpose === filter.purpose) &&
      (!filter.drift || e.drift.length > 0) &&
      (!filter.oldSnapshots || e.snapshots.some((s) => s.too_old)),
  );
}

/** The files the user picked, read as text: the window sends contents, never paths. */
export async function readInventoryFiles(files: Iterable<File>): Promise<InventoryFile[]> {
  return Promise.all([...files].map(async (f) => ({ name: f.name, text: await f.text() })));
}

/** A datetime-local value ("2026-12-01T09:30") in the user's zone, as ISO in UTC. */
export function fromLocalInput(value: string): string {
  return value ? new Date(value).toISOString() : "";
}

/** An ISO moment as a datetime-local value in the user's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A snapshot's age: hours while young, days (and hours) once older than two days. */
export function ageText(hours: number): string {
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d (${hours} h)`;
}

/** "BUG-1:high" lines into defects; the core names a bad severity. */
export function parseDefects(text: string): { id: string; severity: string }[] {
  return text
    .split(/\n|,/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id = "", severity = "medium"] = line.split(":").map((p) => p.trim());
      return { id, severity: severity.toLowerCase() };
    });
}
