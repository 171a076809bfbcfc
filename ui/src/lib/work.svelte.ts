// Long work (an inventory of a whole vCenter) shows how far it got after 300 ms, in a dialog
// the shell draws, with Cancel; a quick one shows nothing.

import { listen } from "@tauri-apps/api/event";

import type { WorkProgress } from "../bindings/WorkProgress";
import { api } from "./api";

export interface Working {
  label: string;
  done: number;
  total: number;
  /** Shown once the work took 300 ms. */
  shown: boolean;
  cancelling: boolean;
}

export const work = $state<{ current: Working | null }>({ current: null });

/** Runs `run` (one call of long work), showing its progress; Cancel rejects it with the
 * `cancelled` kind, nothing written. */
export async function longWork<T>(label: string, run: () => Promise<T>): Promise<T> {
  const current: Working = { label, done: 0, total: 0, shown: false, cancelling: false };
  work.current = current;
  const timer = setTimeout(() => {
    if (work.current) work.current.shown = true;
  }, 300);
  const unlisten = await listen<WorkProgress>("relman://progress", (event) => {
    if (!work.current) return;
    work.current.done = event.payload.done;
    work.current.total = event.payload.total;
  });
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    unlisten();
    work.current = null;
  }
}

export function cancelWork() {
  if (!work.current) return;
  work.current.cancelling = true;
  void api.cancelWork();
}
