// The window keeps the app's time, not the machine's: `relman --now` (and RELMAN_NOW) start
// the app's clock elsewhere, and the run clock, the calendar's "now" and every default range
// must agree with what the core was told. The only reader of the machine's clock in the UI.
let offset = 0;

/** Sets the window's clock from the app's (`AppStatus.now`); it runs on from there. */
export function setClock(appNow: string): void {
  const at = Date.parse(appNow);
  if (!Number.isNaN(at)) offset = at - Date.now();
}

/** Milliseconds since the epoch on the app's clock. */
export function now(): number {
  return Date.now() + offset;
}

/** The app's "now" as a Date. */
export function nowDate(): Date {
  return new Date(now());
}
