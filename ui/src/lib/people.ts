// Who is signed in and what their roles let them do, as the window needs to know it before a
// click: the core checks again on every write (and on a team database, so does the server).

import type { Release } from "../bindings/Release";
import type { Session } from "../bindings/Session";
import type { TeamRole } from "../bindings/TeamRole";

export const TEAM_ROLES: TeamRole[] = ["viewer", "planner", "tester", "release_manager", "cab_member", "cab_chair", "admin"];

/** Whether the session holds `role`. On a file roles are advisory: everything is allowed. */
export function holds(session: Session | null, role: TeamRole): boolean {
  if (!session || !session.enforced) return true;
  return session.superuser || session.roles.includes(role);
}

/**
 * Why the signed-in person may not decide on `release`: "role" (no CAB member), "requester"
 * (they requested it), or null when they may. On a file the core answers when they try.
 */
export function whyNotDecide(session: Session | null, release: Release): "role" | "requester" | null {
  if (!session || !session.enforced) return null;
  if (!holds(session, "cab_member")) return "role";
  if ((release.requester ?? release.created_by) === session.login) return "requester";
  return null;
}
