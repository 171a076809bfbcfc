// A lifecycle rule's verdict in the reader's language: the core sends each verdict and remedy
// as a message with its particulars (which change, which CI), rendered by `say`.
import type { RuleResult } from "../bindings/RuleResult";
import { say } from "./say";

export interface RuleWords {
  message: string;
  remedy: string;
}

export function ruleWords(rule: RuleResult): RuleWords {
  return { message: say(rule.message), remedy: rule.remedy ? say(rule.remedy) : "" };
}
