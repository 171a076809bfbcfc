// CAB mode's small rules, kept out of the component so they can be tested without a window.
import type { Approval } from "../bindings/Approval";
import type { CabRelease } from "../bindings/CabRelease";
import { formatShortDateTime, t } from "./i18n.svelte";

/** Screens in a meeting: the agenda, then one per release. */
export function screenCount(releases: number): number {
  return releases + 1;
}

/** The screen after stepping `delta` from `position`, held at the first and the last. */
export function stepScreen(position: number, delta: number, count: number): number {
  return Math.min(Math.max(position + delta, 0), Math.max(count - 1, 0));
}

/** Where a release stands for the board, in one word and a tone that never stands alone. */
export function verdict(item: CabRelease): { tone: "ok" | "bad" | "info"; count: number } {
  if (item.for_information) return { tone: "info", count: 0 };
  const count = item.blocking.length;
  return { tone: count === 0 ? "ok" : "bad", count };
}

/** The tone of a release's line: its decision when the board took one, else its verdict. */
export function standingTone(item: CabRelease): "ok" | "bad" | "info" {
  const decided = item.for_information ? undefined : item.approvals.at(-1);
  if (!decided) return verdict(item).tone;
  return decided.decision === "approve" ? "ok" : decided.decision === "reject" ? "bad" : "info";
}

/** "✓ Approved by Carla, Tue, Dec 1, 10:12": a decision as the room reads it. */
export function decisionLine(approval: Approval): string {
  const mark = approval.decision === "approve" ? "✓" : approval.decision === "reject" ? "✗" : "…";
  return `${mark} ${t(`cab.decided.${approval.decision}`, { name: approval.approver, at: formatShortDateTime(approval.at) })}`;
}
