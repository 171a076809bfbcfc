import { describe, expect, it } from "vitest";
import type { AppStatus } from "../bindings/AppStatus";
import type { Session } from "../bindings/Session";
import { canEdit, setViewOnly, viewOnlyReason } from "./access.svelte";

const session = (roles: Session["roles"], enforced = true): Session =>
  ({ login: "vera", name: null, roles, enforced, superuser: false, place: "relman@db" }) as unknown as Session;
const status = (over: Partial<AppStatus>): AppStatus => ({ read_only: false, db_path: "/data/relman.db", session: null, ...over }) as AppStatus;

describe("view only", () => {
  it("is a read-only file, or a login that holds only the viewer role on a team database", () => {
    expect(viewOnlyReason(status({ read_only: true }))).toContain("/data/relman.db");
    expect(viewOnlyReason(status({ session: session(["viewer"]) }))).toContain("vera");
    expect(viewOnlyReason(status({ session: session(["viewer", "planner"]) }))).toBeNull();
    // On a file roles are advisory.
    expect(viewOnlyReason(status({ session: session([], false) }))).toBeNull();
  });

  it("hides the editing controls by one class on the document, and shows them again", () => {
    setViewOnly("read-only");
    expect(document.documentElement.classList.contains("view-only")).toBe(true);
    expect(canEdit()).toBe(false);
    setViewOnly(null);
    expect(document.documentElement.classList.contains("view-only")).toBe(false);
    expect(canEdit()).toBe(true);
  });
});
