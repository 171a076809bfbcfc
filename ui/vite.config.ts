import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

// `vite build --mode bench` builds the Gantt benchmark page (with frappe-gantt and
// dhtmlx-gantt for comparison) into dist-bench/, apart from the app the window ships.
export default defineConfig(({ mode }) => ({
  // svelteTesting only acts under Vitest: it picks Svelte's browser build for jsdom.
  plugins: [svelte(), svelteTesting()],
  // Tauri serves the built files itself; relative paths keep them working there.
  base: "./",
  clearScreen: false,
  build: {
    outDir: mode === "bench" ? "dist-bench" : "dist",
    target: "safari15",
    emptyOutDir: true,
    // The audience window of the CAB room is a page of its own: it calls nothing.
    rollupOptions: { input: mode === "bench" ? "bench.html" : { main: "index.html", audience: "audience.html" } },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    // The projector theme's contrast test reads the theme's variables.
    css: { include: [/theme\.css/] },
  },
}));
