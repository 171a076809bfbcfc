/// <reference types="vite/client" />
// The projector theme's promise: every text colour at least 7:1 against the background it is
// drawn on (WCAG 2.2 AAA, 1.4.6), measured from the theme's own variables.
import { describe, expect, it } from "vitest";

import css from "./theme.css?raw";

function variables(theme: string): Record<string, string> {
  const block = new RegExp(`\\[data-theme="${theme}"\\]\\s*\\{([^}]*)\\}`).exec(css)?.[1] ?? "";
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Text colour on background, as the UI draws them. */
const PAIRS: [string, string][] = [
  ["text", "bg"],
  ["text", "surface"],
  ["text", "surface-2"],
  ["text", "surface-hover"],
  ["text-muted", "bg"],
  ["text-muted", "surface-2"],
  ["accent", "bg"],
  ["accent-text", "accent"],
  ["danger", "bg"],
  ["danger", "danger-bg"],
  ["success", "bg"],
  ["warning-text", "warning-bg"],
  ["sidebar-text", "sidebar-bg"],
  ["sidebar-text", "sidebar-active"],
  ["badge-major-text", "badge-major"],
  ["badge-minor-text", "badge-minor"],
  ["badge-emergency-text", "badge-emergency"],
  ["badge-stage-text", "badge-stage"],
  ["badge-demo-text", "badge-demo"],
  ["text", "strip-window"],
  ["text", "strip-freeze"],
];

describe("the projector theme", () => {
  it("draws every text colour at 7:1 or more", () => {
    const vars = variables("projector");
    const measured = PAIRS.map(([fg, bg]) => {
      expect(vars[fg], fg).toBeDefined();
      expect(vars[bg], bg).toBeDefined();
      return { pair: `${fg} on ${bg}`, ratio: Math.round(contrast(vars[fg]!, vars[bg]!) * 10) / 10 };
    });
    console.log(measured.map((m) => `${m.pair}: ${m.ratio}:1`).join("\n"));
    expect(measured.filter((m) => m.ratio < 7)).toEqual([]);
  });

  it("measures contrast as WCAG does", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });
});
