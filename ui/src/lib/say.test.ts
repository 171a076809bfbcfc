import { describe, expect, it } from "vitest";
import { de, en, samples } from "../bindings/coreMessages";
import type { Message } from "../bindings/Message";
import { say } from "./say";

describe("the core's messages in the window", () => {
  it("read exactly as the documents write them, in both languages", () => {
    expect(samples.length).toBeGreaterThan(5);
    for (const sample of samples) {
      const message = sample.message as unknown as Message;
      expect(say(message, "en")).toBe(sample.en);
      expect(say(message, "de")).toBe(sample.de);
    }
  });

  it("use one catalogue per language with the same keys", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it("show an unknown key rather than nothing", () => {
    expect(say({ key: "no.such.key", params: {} }, "de")).toBe("no.such.key");
  });
});
