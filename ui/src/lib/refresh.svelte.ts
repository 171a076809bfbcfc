// Data written outside this window (File ▸ Import, the CLI, a nightly script): the shell bumps
// `generation`, and each page reloads its data in place, keeping zoom, selection and scroll.
import { untrack } from "svelte";

export const refresh = $state({ generation: 0 });

/** Calls `reload` whenever data changed outside the window (not on mount: pages load then). */
export function onRefresh(reload: () => unknown): void {
  let first = true;
  $effect(() => {
    void refresh.generation;
    if (first) {
      first = false;
      return;
    }
    untrack(() => void reload());
  });
}
