import { describe, expect, it } from "vitest";

import { defaultRange } from "./database";

describe("the calendar export's default days", () => {
  it("reach a month back and a year ahead, as the CLI's", () => {
    expect(defaultRange(new Date(2026, 11, 1, 15, 30))).toEqual({ from: "2026-11-01", to: "2027-12-01" });
  });

  it("count calendar days across a leap year and the month's end", () => {
    expect(defaultRange(new Date(2028, 0, 31))).toEqual({ from: "2028-01-01", to: "2029-01-30" });
  });
});
