/// <reference types="vite/client" />
// Every word the UI shows goes through the translation layer: this reads each component's
// markup and fails on text or user-facing attributes written in place.
import { describe, expect, it } from "vitest";

const SOURCES = import.meta.glob<string>(["../**/*.svelte", "!../bench/**"], { query: "?raw", import: "default", eager: true });

/** The markup alone: scripts, styles, comments and `{…}` expressions (however nested) taken out. */
function markup(source: string): string {
  const text = source
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  let out = "";
  let depth = 0;
  for (const ch of text) {
    if (ch === "{") {
      if (depth === 0) out += "{}";
      depth++;
    } else if (ch === "}") {
      depth = Math.max(depth - 1, 0);
    } else if (depth === 0) {
      out += ch;
    }
  }
  return out;
}

/**
 * Written in place on purpose: names that are the same in every language (key caps, a
 * language's own name, paper sizes) and example values that are not words.
 */
const SAME_IN_EVERY_LANGUAGE = new Set(["Alt", "Esc", "English", "Deutsch", "Letter", "REL-2026-014", "https://", "deploy-app", "CHG0031415", "payroll-api"]);

/** Letters people read: two or more in a row, so "×", "→", "#" and single marks pass. */
const WORDS = /\p{L}{2,}/u;

function untranslated(source: string): string[] {
  const found: string[] = [];
  const text = markup(source);
  for (const match of text.matchAll(/>([^<>]+)</g)) {
    const content = match[1]!.replace(/\{\}/g, " ").trim();
    if (WORDS.test(content) && !SAME_IN_EVERY_LANGUAGE.has(content)) found.push(content);
  }
  for (const match of text.matchAll(/\s(title|placeholder|aria-label|alt|label)="([^"]*)"/g)) {
    const value = match[2]!.replace(/\{\}/g, " ");
    if (WORDS.test(value) && !SAME_IN_EVERY_LANGUAGE.has(value)) found.push(`${match[1]}="${match[2]}"`);
  }
  return found;
}

describe("the translation layer", () => {
  it("finds text written in place", () => {
    expect(untranslated(`<p>Hello {name}</p><button title="Close">{t("x")}</button>`)).toEqual(["Hello", 'title="Close"']);
    expect(untranslated(`<p>{t("a", { n: 1 })} · {count}</p><kbd>F5</kbd>`)).toEqual([]);
  });

  it("is used by every component and page", () => {
    const files = Object.entries(SOURCES);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap(([file, source]) => untranslated(source).map((text) => `${file}: ${text}`));
    expect(offenders).toEqual([]);
  });
});
