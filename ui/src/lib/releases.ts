import type { Release } from "../bindings/Release";
import type { ReleaseDraft } from "../bindings/ReleaseDraft";
import type { ReleaseType } from "../bindings/ReleaseType";
import type { Stage } from "../bindings/Stage";

export const STAGES: Stage[] = [
  "planning",
  "build",
  "test",
  "awaiting_authorization",
  "authorized",
  "deploying",
  "early_life_support",
  "closed",
  "rolled_back",
  "cancelled",
];

/** The main line of the lifecycle, for the stepper. */
export const MAIN_LINE: Stage[] = STAGES.slice(0, 8);

export const TYPES: ReleaseType[] = ["major", "minor", "emergency"];

/** Releases whose key or title contains every word of the query, ignoring case. */
export function searchReleases(releases: Release[], query: string): Release[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return releases;
  return releases.filter((r) => {
    const text = `${r.key} ${r.title} ${r.owner ?? ""}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The form's starting values: a release's own, or blanks for a new one. */
export function draftFrom(release: Release | null): ReleaseDraft {
  if (!release) {
    return {
      key: "",
      title: "",
      type: "minor",
      planned_start: "",
      planned_end: "",
      owner: null,
      risk: null,
      requester: null,
      dev_docs: null,
      ops_docs: null,
    };
  }
  return {
    key: release.key,
    title: release.title,
    type: release.type,
    planned_start: release.planned_start,
    planned_end: release.planned_end,
    owner: release.owner,
    risk: release.risk,
    requester: release.requester,
    dev_docs: release.dev_docs,
    ops_docs: release.ops_docs,
  };
}
