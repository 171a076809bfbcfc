import { describe, expect, it } from "vitest";

import { elsLeft, money } from "./after";

describe("after the deployment", () => {
  it("counts down early life support and says when it is over", () => {
    const ends = "2026-12-08T10:00:00Z";
    expect(elsLeft(ends, Date.parse("2026-12-05T06:00:00Z"))).toBe("3 d 4 h");
    expect(elsLeft(ends, Date.parse("2026-12-08T10:00:00Z"))).toBeNull();
  });

  it("writes money in its currency", () => {
    expect(money(125_050, "EUR")).toBe("€1,250.50");
    expect(money(700, "XYZ")).toContain("7.00");
  });
});
