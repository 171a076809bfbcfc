// Long tables (a whole vCenter, 50,000 changes, 5,000 releases) render only the rows in view
// and a margin, between two spacer rows of the height of the rest. The rows are measured, not
// assumed: their height depends on the theme (the projector's is larger) and the language.

export interface RowWindow {
  from: number;
  to: number;
  /** Heights of the spacers before and after the rendered rows, in px. */
  before: number;
  after: number;
}

/** The rows one of whose `texts` contains what was typed, in any case; all of them when
 * nothing was typed. */
export function matching<T>(rows: T[], typed: string, texts: (row: T) => (string | null)[]): T[] {
  const needle = typed.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) => texts(row).some((text) => text !== null && text.toLowerCase().includes(needle)));
}

/** Tables up to this many rows render every row. */
export const ALL_ROWS = 300;

/** The rows of `count` to render in a scroller at `top` showing `view` px, each `height` px. */
export function rowWindow(count: number, top: number, view: number, height: number, margin = 30): RowWindow {
  if (count <= ALL_ROWS) return { from: 0, to: count, before: 0, after: 0 };
  const from = Math.min(count, Math.max(0, Math.floor(top / height) - margin));
  const to = Math.max(from, Math.min(count, Math.ceil((top + view) / height) + margin));
  return { from, to, before: from * height, after: (count - to) * height };
}

/**
 * Follows a long table's scroller (`use:rows.scroller`): its position, its height and the
 * height of its tallest rendered row, at most once a frame. The page gives every row that
 * height (`style="--rows-height: …"`), so the spacers are exact.
 */
export class Scrolled {
  top = $state(0);
  view = $state(800);
  /** The tallest rendered row, in px; 44 (the theme's row) until one was measured. */
  row = $state(44);
  #frame = 0;

  scroller = (element: HTMLElement) => {
    const follow = () => {
      if (this.#frame) return;
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.top = element.scrollTop;
        this.view = element.clientHeight || this.view;
        const tallest = tallestRow(element);
        if (tallest > 0 && Math.abs(tallest - this.row) >= 1) this.row = tallest;
      });
    };
    follow();
    element.addEventListener("scroll", follow, { passive: true });
    const resized = new ResizeObserver(follow);
    resized.observe(element);
    return {
      destroy() {
        element.removeEventListener("scroll", follow);
        resized.disconnect();
      },
    };
  };
}

function tallestRow(element: HTMLElement): number {
  let tallest = 0;
  for (const row of element.querySelectorAll<HTMLElement>("tbody tr:not(.gap)")) {
    tallest = Math.max(tallest, row.getBoundingClientRect().height);
  }
  return Math.ceil(tallest);
}
