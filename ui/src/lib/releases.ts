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
// One collator for a whole sort: localeCompare with options makes one per comparison, which
// took 270 ms for 5,000 titles.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** The columns the release list sorts by. */
export type SortColumn = "key" | "title" | "type" | "stage" | "planned" | "owner";

/** `releases` ordered by `column` (stages in lifecycle order, dates by start, releases without
 * an owner last), ties kept in their order; a new list. */
export function sortReleases(releases: Release[], column: SortColumn, descending: boolean): Release[] {
  const text = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : collator.compare(a, b);
  const compare: Record<SortColumn, (a: Release, b: Release) => number> = {
    key: (a, b) => text(a.key, b.key),
    title: (a, b) => text(a.title, b.title),
    type: (a, b) => TYPES.indexOf(a.type) - TYPES.indexOf(b.type),
    stage: (a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage),
    planned: (a, b) => text(a.planned_start, b.planned_start),
    owner: (a, b) => text(a.owner, b.owner),
  };
  const sign = descending ? -1 : 1;
  return [...releases].sort((a, b) => {
    if (column === "owner" && (a.owner === null) !== (b.owner === null)) return a.owner === null ? 1 : -1;
    return sign * compare[column](a, b);
  });
}

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
