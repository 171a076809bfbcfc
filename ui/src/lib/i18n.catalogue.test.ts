/// <reference types="vite/client" />
// The catalogues against each other and against the glossary.
import { describe, expect, it } from "vitest";

import { de as coreDe, en as coreEn } from "../bindings/coreMessages";
import { de } from "./messages/de";
import { en, type MessageKey } from "./messages/en";
import glossary from "./messages/glossary.md?raw";

const KEYS = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Rows of the glossary table: the English term and the German alternatives. */
function terms(): { english: string; german: string[] }[] {
  return glossary
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| English") && !line.startsWith("|---"))
    .map((line) => {
      const [english = "", german = ""] = line.split("|").slice(1, 3).map((cell) => cell.trim());
      return { english, german: german.split(" / ").map((g) => g.trim()) };
    });
}

describe("the German catalogue", () => {
  it("has every key with the same placeholders and no empty text", () => {
    expect(Object.keys(de).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) {
      expect(de[key].trim(), key).not.toBe("");
      expect(placeholders(de[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("uses the glossary's German term wherever the English text uses its term", () => {
    const rows = terms();
    expect(rows.length).toBeGreaterThan(20);
    const misses: string[] = [];
    for (const { english, german } of rows) {
      const pattern = new RegExp(`\\b${english.replace(/[/-]/g, "\\$&")}`, "i");
      const used = KEYS.filter((key) => pattern.test(en[key]));
      expect(used.length, `the glossary's "${english}" is used somewhere`).toBeGreaterThan(0);
      for (const key of used) {
        const text = de[key].toLowerCase();
        if (!german.some((g) => text.includes(g.toLowerCase()))) misses.push(`${key}: "${english}" → ${german.join(" / ")}: ${de[key]}`);
      }
    }
    expect(misses).toEqual([]);
  });
});

describe("the core's German catalogue", () => {
  it("uses the glossary's German term wherever the English text uses its term", () => {
    const misses: string[] = [];
    let checked = 0;
    for (const { english, german } of terms()) {
      const pattern = new RegExp(`\\b${english.replace(/[/-]/g, "\\$&")}`, "i");
      for (const [key, text] of Object.entries(coreEn)) {
        if (!pattern.test(text)) continue;
        checked += 1;
        const said = (coreDe[key] ?? "").toLowerCase();
        if (!german.some((g) => said.includes(g.toLowerCase()))) misses.push(`${key}: "${english}" → ${german.join(" / ")}: ${coreDe[key]}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(misses).toEqual([]);
  });
});
