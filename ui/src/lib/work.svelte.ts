// Long work (an inventory of a whole vCenter, an import of 50,000 changes) shows how far it got
// after 300 ms, in a dialog the shell draws, with Cancel; a quick one shows nothing.

import { api, onProgress, onWorkDone } from "./api";

export interface Working {
  label: string;
  done: number;
  total: number;
  /** Shown once the work took 300 ms. */
  shown: boolean;
  cancelling: boolean;
  /** Started outside the window's own calls (File ▸ Import, in the menu). */
  background: boolean;
}

export const work = $state<{ current: Working | null }>({ current: null });

function begin(label: string, background: boolean): { current: Working; timer: ReturnType<typeof setTimeout> } {
  work.current = { label, done: 0, total: 0, shown: false, cancelling: false, background };
  // The state's proxy, not the object given to it: only changes through it are shown.
  const current = work.current;
  const timer = setTimeout(() => {
    if (work.current === current) current.shown = true;
  }, 300);
  return { current, timer };
}

/** Runs `run` (one call of long work), showing its progress; Cancel rejects it with the
 * `cancelled` kind, nothing written. */
export async function longWork<T>(label: string, run: () => Promise<T>): Promise<T> {
  const { current, timer } = begin(label, false);
  const unlisten = await onProgress((progress) => {
    current.done = progress.done;
    current.total = progress.total;
  });
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    unlisten();
    if (work.current === current) work.current = null;
  }
}

/** Shows the progress of long work the window did not start, from its first report until it
 * ended, labelled `label()`. Answers the function that stops following. */
export function followOtherWork(label: () => string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const progress = onProgress((report) => {
    if (work.current && !work.current.background) return;
    if (!work.current) timer = begin(label(), true).timer;
    work.current!.done = report.done;
    work.current!.total = report.total;
  });
  const done = onWorkDone(() => {
    if (!work.current?.background) return;
    clearTimeout(timer);
    work.current = null;
  });
  return () => {
    clearTimeout(timer);
    void progress.then((stop) => stop());
    void done.then((stop) => stop());
  };
}

export function cancelWork() {
  if (!work.current) return;
  work.current.cancelling = true;
  void api.cancelWork();
}
