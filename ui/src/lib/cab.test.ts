import { describe, expect, it } from "vitest";

import type { CabRelease } from "../bindings/CabRelease";
import { decisionLine, screenCount, standingTone, stepScreen, verdict } from "./cab";

const item = (over: Partial<CabRelease>): CabRelease => ({ for_information: false, blocking: [], ...over }) as CabRelease;

describe("CAB mode", () => {
  it("steps through the agenda and the releases and stops at both ends", () => {
    const count = screenCount(2);
    expect(count).toBe(3);
    expect(stepScreen(0, 1, count)).toBe(1);
    expect(stepScreen(2, 1, count)).toBe(2);
    expect(stepScreen(0, -1, count)).toBe(0);
    expect(stepScreen(0, 1, screenCount(0))).toBe(0);
  });

  it("says where a release stands, never by colour alone", () => {
    expect(verdict(item({}))).toEqual({ tone: "ok", count: 0 });
    expect(verdict(item({ blocking: [{ code: "X", ok: false, message: { key: "error.as_written", params: { text: { text: "" } } }, remedy: null, area: "plan" }] }))).toEqual({ tone: "bad", count: 1 });
    expect(verdict(item({ for_information: true })).tone).toBe("info");
  });

  it("colours a line by the decision taken, else by the rules", () => {
    const blocked = item({ blocking: [{ code: "X", ok: false, message: { key: "error.as_written", params: { text: { text: "" } } }, remedy: null, area: "plan" }], approvals: [] });
    expect(standingTone(blocked)).toBe("bad");
    expect(standingTone({ ...blocked, approvals: [{ decision: "approve" } as never] })).toBe("ok");
    expect(standingTone({ ...blocked, approvals: [{ decision: "defer" } as never] })).toBe("info");
  });

  it("reads a decision back with its mark, who and when", () => {
    const line = decisionLine({ approver: "Carla", decision: "reject", at: "2026-12-01T09:12:00Z" } as never);
    expect(line.startsWith("✗ Rejected by Carla,")).toBe(true);
  });
});
