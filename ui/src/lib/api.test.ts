import { describe, expect, it } from "vitest";

import { ApiError, toErrorReport } from "./api";

describe("toErrorReport", () => {
  it("keeps a report from the Rust side as it is", () => {
    const report = {
      kind: "validation",
      message: "title: must not be empty",
      fields: [{ field: "title", message: "must not be empty" }],
      rules: [],
    };
    expect(toErrorReport(report)).toEqual(report);
  });

  it("turns anything else into an internal error with a message", () => {
    expect(toErrorReport("command not allowed")).toEqual({
      kind: "internal",
      message: "command not allowed",
      fields: [],
      rules: [],
    });
    expect(toErrorReport({ kind: "bogus", message: "x" }).kind).toBe("internal");
    expect(toErrorReport(new Error("boom")).message).toBe("boom");
    expect(toErrorReport({ kind: "bogus", message: "said" }).message).toBe("said");
  });

  it("keeps a refusal by role, with its words", () => {
    const report = { kind: "forbidden", message: "vera may not do this: it needs the planner role", fields: [], rules: [] };
    expect(toErrorReport(report)).toEqual(report);
  });
});

describe("ApiError", () => {
  it("maps fields to their messages", () => {
    const error = new ApiError({
      kind: "conflict",
      message: "REL-1 already exists",
      fields: [{ field: "key", message: "REL-1 already exists" }],
      rules: [],
    });
    expect(error.fieldMessages()).toEqual({ key: "REL-1 already exists" });
    expect(error.message).toBe("REL-1 already exists");
  });
});
