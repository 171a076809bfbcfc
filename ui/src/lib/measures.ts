// The Measures page's charts and tables from the KPIs: one source for both, so the chart and
// its table always say the same.
import type { Kpis } from "../bindings/Kpis";
import type { Stage } from "../bindings/Stage";
import type { Series } from "../components/BarChart.svelte";
import { t } from "./i18n.svelte";

export interface Table {
  columns: string[];
  rows: (string | number)[][];
}

/** The four shares per month, as bars and as a table. */
export function sharesByMonth(k: Kpis): { labels: string[]; series: Series[]; table: Table } {
  const labels = k.by_month.map((m) => m.month);
  const series: Series[] = [
    { label: t("measures.as_planned"), values: k.by_month.map((m) => m.as_planned_pct), color: "--success" },
    { label: t("measures.rescheduled"), values: k.by_month.map((m) => m.rescheduled_pct), color: "--accent" },
    { label: t("measures.delayed"), values: k.by_month.map((m) => m.delayed_pct), color: "--danger" },
    { label: t("measures.needing_revision"), values: k.by_month.map((m) => m.needing_revision_pct), color: "--warning-text" },
  ];
  return {
    labels,
    series,
    table: {
      columns: [t("measures.month"), t("measures.releases"), ...series.map((s) => `${s.label} %`)],
      rows: k.by_month.map((m, i) => [m.month, m.releases, ...series.map((s) => s.values[i] ?? 0)]),
    },
  };
}

/** The median days in each stage, with the quartiles in the table. */
export function stageTimes(k: Kpis): { labels: string[]; series: Series[]; table: Table } {
  const labels = k.stage_days.map((s) => t(`stage.${s.stage as Stage}`));
  return {
    labels,
    series: [{ label: t("measures.median_days"), values: k.stage_days.map((s) => s.median_days), color: "--accent" }],
    table: {
      columns: [t("measures.stage"), t("measures.median_days"), t("measures.quartiles"), t("measures.times")],
      rows: k.stage_days.map((s, i) => [labels[i] ?? "", s.median_days, `${s.q1_days}–${s.q3_days}`, s.releases]),
    },
  };
}

/** Incidents caused by each release. */
export function incidentsByRelease(k: Kpis): { labels: string[]; series: Series[]; table: Table } {
  const rows = k.by_release;
  return {
    labels: rows.map((r) => r.key),
    series: [{ label: t("measures.incidents"), values: rows.map((r) => r.incidents), color: "--danger" }],
    table: { columns: [t("measures.release"), t("measures.incidents")], rows: rows.map((r) => [r.key, r.incidents]) },
  };
}

/** Direct cost of each release, one series per currency (in whole units). */
export function costByRelease(k: Kpis): { labels: string[]; series: Series[]; table: Table } {
  const rows = k.by_release.filter((r) => Object.keys(r.cost).length > 0);
  const currencies = [...new Set(rows.flatMap((r) => Object.keys(r.cost)))].sort();
  const colors = ["--accent", "--success", "--warning-text", "--danger"];
  const series = currencies.map((c, i) => ({
    label: c,
    values: rows.map((r) => (r.cost[c] ?? 0) / 100),
    color: colors[i % colors.length] ?? "--accent",
  }));
  return {
    labels: rows.map((r) => r.key),
    series,
    table: {
      columns: [t("measures.release"), ...currencies],
      rows: rows.map((r) => [r.key, ...currencies.map((c) => (r.cost[c] ?? 0) / 100)]),
    },
  };
}
