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
