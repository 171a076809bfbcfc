import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

export default defineConfig({
  // svelteTesting only acts under Vitest: it picks Svelte's browser build for jsdom.
  plugins: [svelte(), svelteTesting()],
  // Tauri serves the built files itself; relative paths keep them working there.
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    target: "safari15",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
