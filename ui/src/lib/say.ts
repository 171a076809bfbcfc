// The core's messages in the reader's language. The core sends a key and its values, never a
// finished sentence; the catalogues are the core's own (generated into bindings), so the window
// and the documents use the same words, and the samples test keeps this renderer equal to
// Rust's `Message::render`.
import { de, en } from "../bindings/coreMessages";
import type { Message } from "../bindings/Message";
import type { Moment } from "../bindings/Moment";
import type { Param } from "../bindings/Param";
import { locale, type Locale } from "./i18n.svelte";

const catalogues: Record<Locale, Record<string, string>> = { en, de };

const WEEKDAYS: Record<Locale, string[]> = {
  en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  de: ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
};
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The message as a sentence in `lang` (the window's language unless given). */
export function say(message: Message, lang: Locale = locale()): string {
  const catalogue = catalogues[lang];
  const count = message.params["count"];
  const singular = `${message.key}.one`;
  const text =
    count && "count" in count && count.count === 1 && singular in catalogue
      ? catalogue[singular]
      : catalogue[message.key];
  if (text === undefined) return message.key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = message.params[name];
    return value === undefined ? whole : sayParam(value, lang);
  });
}

/** Several messages as one line, the way the core joins them. */
export function sayAll(messages: Message[], lang: Locale = locale()): string {
  return messages.map((m) => say(m, lang)).join("; ");
}

function sayParam(param: Param, lang: Locale): string {
  if ("text" in param) return param.text;
  if ("count" in param) return String(param.count);
  if ("word" in param) return catalogues[lang][param.word] ?? param.word;
  if ("time" in param) return `${dayAndTime(param.time, lang)}${zoneSuffix(param.time)}`;
  if ("span" in param) {
    const { from, to } = param.span;
    const end = from.local.slice(0, 10) === to.local.slice(0, 10) ? clock(to) : dayAndTime(to, lang);
    return `${dayAndTime(from, lang)} – ${end}${zoneSuffix(to)}`;
  }
  if ("list" in param) return param.list.map((p) => sayParam(p, lang)).join(", ");
  if ("lines" in param) return param.lines.map((p) => sayParam(p, lang)).join("; ");
  return say(param.message, lang);
}

function clock(at: Moment): string {
  return at.local.slice(11, 16);
}

function dayAndTime(at: Moment, lang: Locale): string {
  const [y, m, d] = [at.local.slice(0, 4), at.local.slice(5, 7), at.local.slice(8, 10)];
  const day = WEEKDAYS[lang][at.weekday % 7];
  if (lang === "de") return `${day} ${d}.${m}.${y} ${clock(at)}`;
  return `${day} ${d} ${MONTHS[Number(m) - 1]} ${y} ${clock(at)}`;
}

/** " CET (UTC+01:00)", " UTC", or " UTC-03:00" for a zone the tz database knows by number. */
export function zoneSuffix(at: Moment): string {
  if (at.abbr === "UTC") return " UTC";
  if (at.abbr === "") return ` UTC${at.offset}`;
  return ` ${at.abbr} (UTC${at.offset})`;
}
