import type { ImportSummary } from "../bindings/ImportSummary";
import { t, tCount } from "./i18n.svelte";

/** What an import brought in, naming every kind of thing it added. */
export function describeImport(summary: ImportSummary): string {
  const held = summary.cis - summary.created_cis.length;
  const parts = [
    summary.releases && tCount("import.releases", summary.releases),
    summary.changes && tCount("import.changes", summary.changes),
    held && tCount("import.cis", held),
    summary.models && tCount("import.models", summary.models),
    summary.windows && tCount("import.windows", summary.windows),
    summary.freezes && tCount("import.freezes", summary.freezes),
    summary.service_hours && tCount("import.hours", summary.service_hours),
    summary.environments && tCount("import.environments", summary.environments),
    summary.test_runs && tCount("import.test_runs", summary.test_runs),
  ].filter((part): part is string => Boolean(part));
  let text = parts.length === 0 ? t("import.nothing") : t("import.done", { what: parts.join(", ") });
  if (summary.created_cis.length > 0) {
    text += " " + t("import.created_cis", { count: summary.created_cis.length, names: summary.created_cis.join(", ") });
  }
  return text;
}
