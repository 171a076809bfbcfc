import { describe, expect, it } from "vitest";
import { formatInZone, formatSpanInZone, setLocale } from "./i18n.svelte";
import { offsetText, zoneAbbreviation, zoneLabel } from "./zones";

describe("zones as the tz database names them", () => {
  it("names a zone by its abbreviation and offset, or by its offset alone", () => {
    const winter = Date.parse("2026-12-12T21:00:00Z");
    const summer = Date.parse("2027-07-01T12:00:00Z");
    expect(zoneLabel(winter, "Europe/Berlin")).toBe("CET (UTC+01:00)");
    expect(zoneLabel(summer, "Europe/Berlin")).toBe("CEST (UTC+02:00)");
    expect(zoneLabel(winter, "America/New_York")).toBe("EST (UTC-05:00)");
    expect(zoneLabel(winter, "UTC")).toBe("UTC");
    expect(zoneLabel(winter, "America/Sao_Paulo")).toBe("UTC-03:00");
    expect(zoneAbbreviation(winter, "Asia/Kathmandu")).toBe("UTC+05:45");
    expect(offsetText(-210)).toBe("-03:30");
  });

  it("writes a wave's times with the same zone the documents write", () => {
    setLocale("en", false);
    expect(formatInZone("2026-12-12T21:00:00Z", "Europe/Berlin")).toMatch(/22:00 CET \(UTC\+01:00\)$/);
    expect(formatInZone("2026-12-12T21:00:00Z", "Europe/Berlin")).not.toContain("GMT");
    expect(formatSpanInZone("2026-12-12T21:00:00Z", "2026-12-12T22:30:00Z", "Europe/Berlin")).toMatch(/22:00 – 23:30 CET \(UTC\+01:00\)$/);
  });
});
