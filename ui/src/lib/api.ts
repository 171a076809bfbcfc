// The IPC seam: the only module that talks to the Rust side. Everything else imports these
// typed functions; the types come from ../bindings, generated from the Rust structs.
import { invoke } from "@tauri-apps/api/core";

import type { AppStatus } from "../bindings/AppStatus";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Release } from "../bindings/Release";
import type { ReleaseDraft } from "../bindings/ReleaseDraft";
import type { ReleaseFilter } from "../bindings/ReleaseFilter";

/** A refusal or failure from the core, with the fields at fault. */
export class ApiError extends Error {
  readonly report: ErrorReport;

  constructor(report: ErrorReport) {
    super(report.message);
    this.name = "ApiError";
    this.report = report;
  }

  /** field name → message, for showing each next to its input. */
  fieldMessages(): Record<string, string> {
    return Object.fromEntries(this.report.fields.map((f) => [f.field, f.message]));
  }
}

const KINDS = new Set(["validation", "not_found", "conflict", "rule", "storage", "internal"]);

/** Whatever `invoke` rejected with, as an ErrorReport. */
export function toErrorReport(error: unknown): ErrorReport {
  if (typeof error === "object" && error !== null) {
    const { kind, message, fields, rules } = error as Record<string, unknown>;
    if (typeof kind === "string" && KINDS.has(kind) && typeof message === "string") {
      return {
        kind: kind as ErrorReport["kind"],
        message,
        fields: Array.isArray(fields) ? (fields as ErrorReport["fields"]) : [],
        rules: Array.isArray(rules) ? (rules as ErrorReport["rules"]) : [],
      };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "internal", message, fields: [], rules: [] };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw new ApiError(toErrorReport(error));
  }
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  listReleases: (filter: ReleaseFilter) => call<Release[]>("list_releases", { filter }),
  getRelease: (key: string) => call<Release>("get_release", { key }),
  createRelease: (draft: ReleaseDraft) => call<Release>("create_release", { draft }),
  updateRelease: (key: string, expectedVersion: number, draft: ReleaseDraft) =>
    call<Release>("update_release", { key, expectedVersion, draft }),
  deleteRelease: (key: string) => call<null>("delete_release", { key }),
  restoreRelease: (key: string) => call<Release>("restore_release", { key }),
  loadDemoData: () => call<Release[]>("load_demo_data"),
};
