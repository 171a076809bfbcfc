import { describe, expect, it } from "vitest";

import type { AuditRecord } from "../bindings/AuditRecord";
import { describeRecord } from "./history";

function record(action: string, field: string | null, before: string | null, after: string | null): AuditRecord {
  return {
    seq: 1,
    at: "2026-03-01T10:00:00Z",
    actor: "Anna",
    entity: "release",
    entity_key: "REL-2026-014",
    action,
    field,
    before,
    after,
  };
}

describe("describeRecord", () => {
  it("reads a stage move with the stages' names", () => {
    expect(describeRecord(record("move", "stage", "test", "awaiting_authorization"))).toBe(
      "Anna moved REL-2026-014 from Test to Awaiting authorization",
    );
  });

  it("reads an edit with the field's label and both values", () => {
    expect(describeRecord(record("update", "title", "Payroll 4.1", "Payroll 4.2"))).toBe(
      "Anna changed Title from “Payroll 4.1” to “Payroll 4.2”",
    );
  });

  it("reads scope, package and decisions", () => {
    expect(describeRecord(record("add_change", "scope", null, "CHG0031415"))).toBe(
      "Anna added CHG0031415 to the scope",
    );
    expect(describeRecord(record("add_component", "package", null, '{"ci":"payroll-api","to_version":"2.2"}'))).toBe(
      "Anna added payroll-api 2.2 to the package",
    );
    expect(describeRecord(record("decide", "approval", null, '{"decision":"approve","role":"cab_member"}'))).toBe(
      "Anna recorded the CAB decision “Approve” as CAB member",
    );
    expect(describeRecord(record("decide", "approval", null, '{"decision":"reject","role":"cab_member","approver":"Carla"}'))).toBe(
      "Anna recorded the CAB decision “Reject” of Carla (CAB member)",
    );
  });

  it("does not break on an action it does not know", () => {
    expect(describeRecord(record("teleport", null, null, null))).toBe("Anna: teleport");
  });
});
