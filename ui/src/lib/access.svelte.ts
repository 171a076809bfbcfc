// Whether the window may change anything. A database open read-only, or a team database where
// the login holds only the viewer role, gets a window without editing controls: every control
// that edits carries `data-edits`, which `.view-only` hides (theme.css), and the reason is said
// once, above the page, instead of after each refused try.
import type { AppStatus } from "../bindings/AppStatus";
import { t } from "./i18n.svelte";

let reason = $state<string | null>(null);

/** Why nothing may be edited, or null when editing is allowed. */
export function viewOnly(): string | null {
  return reason;
}

/** Whether the person may edit at all. */
export function canEdit(): boolean {
  return reason === null;
}

/** Why `status` allows no edit: a read-only file, or a login that only views. */
export function viewOnlyReason(status: AppStatus): string | null {
  if (status.read_only) return t("database.read_only", { file: status.db_path });
  const session = status.session;
  if (session?.enforced && !session.superuser && session.roles.every((role) => role === "viewer")) {
    return t("access.viewer_only", { login: session.login });
  }
  return null;
}

export function setViewOnly(why: string | null): void {
  reason = why;
  document.documentElement.classList.toggle("view-only", why !== null);
}
