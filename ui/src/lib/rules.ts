// A lifecycle rule in the reader's language. The core words each verdict in English with the
// particulars (which change, which CI); in another language the rule's own sentence and
// remedy come from the catalogue, and the particulars follow as details.
import type { RuleResult } from "../bindings/RuleResult";
import { locale, t } from "./i18n.svelte";
import { en, type MessageKey } from "./messages/en";

export interface RuleWords {
  message: string;
  remedy: string;
  details: string | null;
}

export function ruleWords(rule: RuleResult): RuleWords {
  const key = `rule.${rule.code}` as MessageKey;
  if (locale() === "en" || !(key in en)) return { message: rule.message, remedy: rule.remedy, details: null };
  return { message: t(key), remedy: t(`${key}.remedy` as MessageKey), details: rule.message };
}
