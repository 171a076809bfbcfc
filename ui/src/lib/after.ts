// The After deployment tab's and the Measures page's small formatting rules.
import { formatMinutes, locale } from "./i18n.svelte";

/** What is left of early life support at `now`, or null once it is over. */
export function elsLeft(endsIso: string, now: number): string | null {
  const minutes = (Date.parse(endsIso) - now) / 60_000;
  return minutes > 0 ? formatMinutes(Math.ceil(minutes)) : null;
}

/** An amount in cents in its currency, the reader's way ("€1,250.50", "1.250,50 €"). */
export function money(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}
