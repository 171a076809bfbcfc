import { describe, expect, it } from "vitest";

import { formatDate, formatDateRange, parseIsoDate, t, tCount } from "./i18n.svelte";

describe("t", () => {
  it("fills in named parameters", () => {
    expect(t("form.edit.title", { key: "REL-2026-014" })).toBe("Edit REL-2026-014");
  });

  it("leaves a placeholder visible when its parameter is missing", () => {
    expect(t("form.edit.title")).toBe("Edit {key}");
  });

  it("counts with the singular form for one", () => {
    expect(tCount("releases.count", 1)).toBe("1 release");
    expect(tCount("releases.count", 1200)).toBe("1,200 releases");
  });
});

/** Intl puts thin and narrow no-break spaces around range dashes; compare them as spaces. */
const plain = (text: string) => text.replace(/[\u2009\u202f\u00a0]/g, " ");

describe("dates", () => {
  it("accepts only real calendar dates", () => {
    expect(parseIsoDate("2026-02-28")?.toISOString()).toBe("2026-02-28T00:00:00.000Z");
    expect(parseIsoDate("2026-02-30")).toBeNull();
    expect(parseIsoDate("28.02.2026")).toBeNull();
  });

  it("formats a date without shifting it by the time zone", () => {
    expect(formatDate("2026-03-01")).toBe("Mar 1, 2026");
  });

  it("formats a range compactly and falls back to the raw text", () => {
    expect(plain(formatDateRange("2026-03-01", "2026-03-14"))).toBe("Mar 1 – 14, 2026");
    expect(plain(formatDateRange("2026-12-27", "2027-01-03"))).toBe("Dec 27, 2026 – Jan 3, 2027");
    expect(formatDateRange("soon", "2027-01-03")).toBe("soon – 2027-01-03");
  });
});

describe("formatMinutes", () => {
  it("says short durations in minutes, longer in hours and days", async () => {
    const { formatMinutes } = await import("./i18n.svelte");
    expect(formatMinutes(45)).toBe("45 min");
    expect(formatMinutes(315)).toBe("5 h 15");
    expect(formatMinutes(120)).toBe("2 h");
    expect(formatMinutes(5715)).toBe("3 d 23 h");
    expect(formatMinutes(-30)).toBe("−30 min");
  });
});
