import { zoneNames } from "../bindings/zoneNames";

// Time zones offered for waves: every IANA zone the web view knows, the common ones first.
const COMMON = [
  "UTC",
  "Europe/Berlin",
  "Europe/London",
  "Europe/Paris",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Asia/Singapore",
  "Asia/Tokyo",
  "Australia/Sydney",
];

function all(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

export const TIME_ZONES: string[] = [...COMMON, ...all().filter((zone) => !COMMON.includes(zone))];

// Zone labels come from the tz database through the core (`bindings/zoneNames.ts`): WebKitGTK's
// `Intl` says "GMT+1" where the core, the documents and the CLI say "CET".

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at` (ms), in minutes: 60 for Berlin in winter. */
export function offsetMinutes(at: number, timeZone: string): number {
  let format = partsFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    partsFormatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"));
  return Math.round((wall - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/** "+01:00", "-05:00", "+05:45". */
export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** The tz database's abbreviation of the zone at `at` ("CET"), or its offset ("UTC-03:00"). */
export function zoneAbbreviation(at: number, timeZone: string): string {
  const offset = offsetText(offsetMinutes(at, timeZone));
  return zoneNames[timeZone]?.[offset] ?? `UTC${offset}`;
}

/** "CET (UTC+01:00)", "UTC", or "UTC-03:00": as the core writes a zone after a time. */
export function zoneLabel(at: number, timeZone: string): string {
  const offset = offsetText(offsetMinutes(at, timeZone));
  const abbr = zoneNames[timeZone]?.[offset];
  if (abbr === "UTC") return "UTC";
  return abbr ? `${abbr} (UTC${offset})` : `UTC${offset}`;
}

/** The viewer's own zone, for times that belong to no wave. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
