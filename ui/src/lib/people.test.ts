import { describe, expect, it } from "vitest";

import type { Release } from "../bindings/Release";
import type { Session } from "../bindings/Session";
import { holds, whyNotDecide } from "./people";

const session = (over: Partial<Session>): Session => ({
  login: "anna",
  name: null,
  roles: [],
  enforced: true,
  superuser: false,
  place: "relman@db:5432",
  ...over,
});
const release = { key: "REL-1", requester: "rita", created_by: "anna" } as Release;

describe("what a person may do", () => {
  it("needs the CAB member role to decide on a team database", () => {
    expect(whyNotDecide(session({ roles: ["planner"] }), release)).toBe("role");
    expect(whyNotDecide(session({ roles: ["cab_member"] }), release)).toBeNull();
  });

  it("never lets the requester decide, falling back to who created the release", () => {
    expect(whyNotDecide(session({ login: "rita", roles: ["cab_member"] }), release)).toBe("requester");
    const unrequested = { ...release, requester: null } as Release;
    expect(whyNotDecide(session({ roles: ["cab_member"] }), unrequested)).toBe("requester");
  });

  it("leaves a file's advisory roles to the core, and lets a superuser past roles", () => {
    expect(whyNotDecide(session({ enforced: false }), release)).toBeNull();
    expect(holds(session({ enforced: false }), "admin")).toBe(true);
    expect(holds(session({ superuser: true }), "admin")).toBe(true);
    expect(holds(session({ roles: ["viewer"] }), "admin")).toBe(false);
  });
});
