import { describe, expect, it } from "vitest";

import type { Kpis } from "../bindings/Kpis";
import { costByRelease, incidentsByRelease, sharesByMonth, stageTimes } from "./measures";

const kpis = {
  releases: 2,
  by_month: [
    { month: "2026-10", releases: 1, as_planned_pct: 100, rescheduled_pct: 0, delayed_pct: 0, needing_revision_pct: 0 },
    { month: "2026-11", releases: 1, as_planned_pct: 0, rescheduled_pct: 0, delayed_pct: 100, needing_revision_pct: 100 },
  ],
  stage_days: [{ stage: "build", releases: 2, median_days: 2.5, q1_days: 2, q3_days: 3 }],
  by_release: [
    { key: "REL-1", type: "minor", incidents: 2, cost: { EUR: 125050 } },
    { key: "REL-2", type: "major", incidents: 0, cost: {} },
  ],
} as unknown as Kpis;

describe("the Measures charts and their tables", () => {
  it("say the same numbers", () => {
    const shares = sharesByMonth(kpis);
    expect(shares.labels).toEqual(["2026-10", "2026-11"]);
    expect(shares.series.map((s) => s.values)).toEqual([[100, 0], [0, 0], [0, 100], [0, 100]]);
    expect(shares.table.rows[1]).toEqual(["2026-11", 1, 0, 0, 100, 100]);
    expect(stageTimes(kpis).table.rows).toEqual([["Build", 2.5, "2–3", 2]]);
    expect(incidentsByRelease(kpis).table.rows).toEqual([["REL-1", 2], ["REL-2", 0]]);
  });

  it("counts cost in whole units and leaves out releases without any", () => {
    const cost = costByRelease(kpis);
    expect(cost.labels).toEqual(["REL-1"]);
    expect(cost.table).toEqual({ columns: ["Release", "EUR"], rows: [["REL-1", 1250.5]] });
  });
});
