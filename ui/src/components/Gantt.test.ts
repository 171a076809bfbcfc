import { render } from "@testing-library/svelte";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { generatedPlan, PX_PER_HOUR } from "../lib/gantt";
import Gantt from "./Gantt.svelte";

beforeAll(() => {
  // jsdom has no layout: give the scroller a size and a ResizeObserver that never fires.
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      disconnect() {}
    },
  );
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1200 });
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
});

const columns = [{ label: "Task", width: 200, value: (row: { label: string }) => row.label }];

describe("Gantt", () => {
  it("draws only the rows in view, however large the plan", () => {
    const { container } = render(Gantt, { props: { data: generatedPlan(50_000), pxPerHour: PX_PER_HOUR.day, columns } });
    const rows = container.querySelectorAll(".trow").length;
    const bars = container.querySelectorAll("[data-bar]").length;
    // 600 px tall: about 15 rows in view, plus the rows rendered ahead on each side.
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(60);
    expect(bars).toBeLessThan(60);
    expect(container.querySelectorAll(".link").length).toBeLessThan(120);
  });

  it("shows each row's label in the runbook and flags problems", () => {
    const data = generatedPlan(20);
    data.rows[2] = { ...data.rows[2]!, flagged: true };
    const { container } = render(Gantt, { props: { data, pxPerHour: PX_PER_HOUR.day, columns } });
    const first = container.querySelector(".trow[data-row='t0']");
    expect(first?.textContent?.trim()).toBe("Task 1");
    expect(container.querySelector(".trow.group")?.textContent?.trim()).toBe("Wave 1");
    expect(container.querySelector(".trow.flagged")?.getAttribute("data-row")).toBe(data.rows[2]!.id);
  });
});
