// The Gantt benchmark page (not part of the app bundle): loads a generated plan of N tasks
// into Relman's real Gantt component, or into frappe-gantt or dhtmlx-gantt for comparison,
// and reports first render, re-render after zoom and scroll frame rates, median of 3.
// `?engine=relman|frappe|dhtmlx&n=10000&runs=3`; the result is JSON in #results.
import "../lib/theme.css";
import "./bench.css";

import { mount, tick, unmount } from "svelte";

import Gantt from "../components/Gantt.svelte";
import { generatedPlan, PX_PER_HOUR, type GanttData } from "../lib/gantt";
import { createProps } from "./props.svelte";

const params = new URLSearchParams(location.search);
const engine = params.get("engine") ?? "relman";
const n = Number(params.get("n") ?? "10000");
const runs = Number(params.get("runs") ?? "3");

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
/** Two frames: the one that lays out and paints, and the next, so the paint is done. */
const painted = async () => {
  await frame();
  await frame();
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Engine {
  render(host: HTMLElement, data: GanttData): Promise<void>;
  zoom(): Promise<void>;
  scroller(host: HTMLElement): HTMLElement;
  destroy(): void;
}

function relman(): Engine {
  let app: Record<string, unknown> | null = null;
  let props = createProps();
  return {
    async render(host, data) {
      props = createProps();
      props.data = data;
      props.pxPerHour = PX_PER_HOUR.day;
      app = mount(Gantt, {
        target: host,
        props: props as unknown as { data: GanttData; pxPerHour: number; columns: [] },
      });
      await tick();
      await painted();
    },
    async zoom() {
      props.pxPerHour = PX_PER_HOUR.hour;
      await tick();
      await painted();
    },
    scroller: (host) => host.querySelector<HTMLElement>(".scroller")!,
    destroy: () => app && unmount(app),
  };
}

async function frappe(): Promise<Engine> {
  const { default: FrappeGantt } = await import("frappe-gantt");
  await import("../../node_modules/frappe-gantt/dist/frappe-gantt.css");
  let chart: { change_view_mode(mode: string): void } | null = null;
  return {
    async render(host, data) {
      const tasks = data.rows
        .map((row, i) => ({ row, i }))
        .filter(({ row }) => row.kind !== "group" && row.start !== null)
        .map(({ row, i }) => ({
          id: `r${i}`,
          name: row.label,
          start: new Date(row.start!).toISOString(),
          end: new Date(row.end!).toISOString(),
          progress: 0,
          dependencies: (data.linksOfRow[i] ?? [])
            .map((l) => data.links[l]!)
            .filter((l) => l.to === i)
            .map((l) => `r${l.from}`)
            .join(","),
        }));
      const el = document.createElement("div");
      host.append(el);
      chart = new FrappeGantt(el, tasks, { view_mode: "Day", readonly: true }) as typeof chart;
      await painted();
    },
    async zoom() {
      chart?.change_view_mode("Hour");
      await painted();
    },
    scroller: (host) => host.querySelector<HTMLElement>(".gantt-container") ?? host,
    destroy: () => undefined,
  };
}

async function dhtmlx(): Promise<Engine> {
  // The classic (UMD) build in a plain script: its ES module build stops in WebKitGTK with
  // "Attempted to assign to readonly property", which strict-mode module code turns into an error.
  const { default: url } = await import("../../node_modules/dhtmlx-gantt/codebase/dhtmlxgantt.js?url");
  await import("dhtmlx-gantt/codebase/dhtmlxgantt.css");
  const holder = window as unknown as { gantt?: unknown };
  if (!holder.gantt) {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("dhtmlxgantt.js did not load"));
      document.head.append(script);
    });
  }
  const gantt = holder.gantt;
  type Instance = {
    config: Record<string, unknown>;
    init(el: HTMLElement): void;
    parse(data: unknown): void;
    render(): void;
  };
  let chart: Instance | null = null;
  return {
    async render(host, data) {
      chart = gantt as unknown as Instance;
      (chart as unknown as { clearAll(): void }).clearAll();
      chart.config.date_format = "%Y-%m-%d %H:%i";
      chart.config.duration_unit = "minute";
      chart.config.smart_rendering = true;
      chart.config.scales = [{ unit: "day", step: 1, format: "%d %M" }];
      const fmt = (t: number) => new Date(t).toISOString().slice(0, 16).replace("T", " ");
      const tasks = data.rows
        .map((row, i) => ({ row, i }))
        .filter(({ row }) => row.kind !== "group" && row.start !== null)
        .map(({ row, i }) => ({ id: i + 1, text: row.label, start_date: fmt(row.start!), duration: (row.end! - row.start!) / 60_000 }));
      const links = data.links.map((l, i) => ({ id: i + 1, source: l.from + 1, target: l.to + 1, type: "0" }));
      chart.init(host);
      chart.parse({ data: tasks, links });
      await painted();
    },
    async zoom() {
      if (!chart) return;
      chart.config.scales = [{ unit: "hour", step: 1, format: "%H:%i" }];
      chart.render();
      await painted();
    },
    scroller: (host) => host.querySelector<HTMLElement>(".gantt_ver_scroll") ?? host,
    destroy: () => undefined,
  };
}

/** Scrolls 120 frames, 40 px each, and returns frames per second. */
async function scrollFps(el: HTMLElement): Promise<number> {
  await frame();
  const start = performance.now();
  const frames = 120;
  for (let i = 0; i < frames; i++) {
    el.scrollTop += 40;
    el.dispatchEvent(new Event("scroll"));
    await frame();
  }
  return (frames * 1000) / (performance.now() - start);
}

async function main() {
  const out = document.getElementById("app")!;
  const data = generatedPlan(n);
  const first: number[] = [];
  const zoom: number[] = [];
  const fps: number[] = [];
  for (let run = 0; run < runs; run++) {
    const host = document.createElement("div");
    host.className = "bench-host";
    out.replaceChildren(host);
    const chart = engine === "frappe" ? await frappe() : engine === "dhtmlx" ? await dhtmlx() : relman();
    await painted();
    let t = performance.now();
    await chart.render(host, data);
    first.push(performance.now() - t);
    t = performance.now();
    await chart.zoom();
    zoom.push(performance.now() - t);
    fps.push(await scrollFps(chart.scroller(host)));
    chart.destroy();
  }
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  const result = {
    engine,
    n,
    runs,
    first_render_ms: Math.round(median(first) * 10) / 10,
    zoom_render_ms: Math.round(median(zoom) * 10) / 10,
    scroll_fps: Math.round(median(fps) * 10) / 10,
    heap_mb: memory ? Math.round(memory.usedJSHeapSize / 1e6) : null,
    user_agent: navigator.userAgent,
  };
  const pre = document.createElement("pre");
  pre.id = "results";
  pre.textContent = JSON.stringify(result);
  document.body.append(pre);
}

void main().catch((error: unknown) => {
  const pre = document.createElement("pre");
  pre.id = "results";
  pre.textContent = JSON.stringify({ engine, n, error: String(error) });
  document.body.append(pre);
});
