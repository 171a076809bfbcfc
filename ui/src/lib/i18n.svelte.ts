// The one translation layer: every string the UI shows goes through `t`, and every date or
// number through the formatters below, so a second language is a new catalogue, not a hunt.
// Written by hand because it is small and its keys are checked by the compiler.
import { de } from "./messages/de";
import { en, type MessageKey } from "./messages/en";
import { zoneAbbreviation, zoneLabel } from "./zones";

export type Locale = "en" | "de";
export type Params = Record<string, string | number>;

export const LOCALES: Locale[] = ["en", "de"];

const catalogues: Record<Locale, Record<MessageKey, string>> = { en, de };

const STORAGE_KEY = "relman.locale";

/** The language chosen in Settings, else the system's when Relman speaks it, else English. */
export function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "de") return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith("de") ? "de" : "en";
}

let current = $state<Locale>("en");

export function locale(): Locale {
  return current;
}

/** Switches the language at once: every `t` and formatter reads `current`. */
export function setLocale(next: Locale, remember = true): void {
  current = next;
  document.documentElement.lang = next;
  if (remember) localStorage.setItem(STORAGE_KEY, next);
}

/** The message for `key` in the current language, falling back to English. */
export function t(key: MessageKey, params: Params = {}): string {
  const text = catalogues[current][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Count-aware message: `key.one` for one, `key` with `{count}` otherwise. */
export function tCount(key: MessageKey, count: number): string {
  const one = `${key}.one` as MessageKey;
  if (count === 1 && one in en) return t(one);
  return t(key, { count: formatNumber(count) });
}

/** A calendar date (`YYYY-MM-DD`, no time zone) in the reader's locale. */
export function formatDate(iso: string, style: "medium" | "short" = "medium"): string {
  const date = parseIsoDate(iso);
  if (!date) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: style, timeZone: "UTC" }).format(date);
}

/** Two calendar dates as one range, written the locale's way ("Mar 1 – 14, 2026"). */
export function formatDateRange(startIso: string, endIso: string): string {
  const start = parseIsoDate(startIso);
  const end = parseIsoDate(endIso);
  if (!start || !end) return `${startIso} – ${endIso}`;
  const format = new Intl.DateTimeFormat(current, { dateStyle: "medium", timeZone: "UTC" });
  return format.formatRange(start, end);
}

/** An instant (RFC 3339) in the reader's locale and time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(current).format(value);
}

/** `YYYY-MM-DD` as midnight UTC, or null when it is not a real date. */
export function parseIsoDate(iso: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.trim());
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return real ? date : null;
}

/** A length of time in minutes, short: "45 min", "5 h 15", "3 d 4 h". */
export function formatMinutes(minutes: number): string {
  const sign = minutes < 0 ? "−" : "";
  const m = Math.abs(Math.round(minutes));
  if (m < 60) return `${sign}${m} min`;
  if (m < 24 * 60) return `${sign}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60}` : ""}`;
  const days = Math.floor(m / (24 * 60));
  const hours = Math.floor((m % (24 * 60)) / 60);
  return `${sign}${days} ${t("unit.day")}${hours ? ` ${hours} h` : ""}`;
}

/** An instant, short, for tables: "Sat, Dec 5, 22:00". */
export function formatShortDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, {
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
}

/** An instant as people in `timeZone` read it, with the zone as the tz database names it:
 * "Sat, Dec 5, 22:00 CET (UTC+01:00)". */
export function formatInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return `${dayAndTime(timeZone).format(date)} ${zoneLabel(date.getTime(), timeZone)}`;
  } catch {
    return formatShortDateTime(iso);
  }
}

/** An instant in `timeZone`, short for a table's column, with the zone's abbreviation:
 * "Dec 5, 22:00 CET". */
export function formatShortInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return `${dayAndTime(timeZone, true, false).format(date)} ${zoneAbbreviation(date.getTime(), timeZone)}`;
  } catch {
    return formatShortDateTime(iso);
  }
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Costly to make in WebKit: one per language, zone and form. */
function dayAndTime(timeZone: string, withDay = true, withWeekday = true): Intl.DateTimeFormat {
  const key = `${current}/${timeZone}/${withDay}/${withWeekday}`;
  let format = zoneFormatters.get(key);
  if (!format) {
    const weekday: Intl.DateTimeFormatOptions = withWeekday ? { weekday: "short" } : {};
    const day: Intl.DateTimeFormatOptions = withDay ? { ...weekday, month: "short", day: "numeric" } : {};
    format = new Intl.DateTimeFormat(current, { ...day, hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
    zoneFormatters.set(key, format);
  }
  return format;
}

/** A span in one zone, the end's date left out when it is the start's:
 * "Sat, Dec 5, 22:00 – 23:30 CET (UTC+01:00)". */
export function formatSpanInZone(startIso: string, endIso: string, timeZone: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startIso} – ${endIso}`;
  try {
    const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    const sameDay = day.format(start) === day.format(end);
    const to = dayAndTime(timeZone, !sameDay).format(end);
    return `${dayAndTime(timeZone).format(start)} – ${to} ${zoneLabel(end.getTime(), timeZone)}`;
  } catch {
    return `${formatShortDateTime(startIso)} – ${formatShortDateTime(endIso)}`;
  }
}
