// The database as a file, from the File menu and Settings ▸ Database: one code path for both.
import type { CalendarRange } from "../bindings/CalendarRange";
import { api, errorMessage, type MenuAction } from "./api";
import { askConfirm } from "./confirm.svelte";
import { t } from "./i18n.svelte";
import type { Notify } from "./nav";

function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The export's default days, as the CLI's: a month back and a year ahead of `today`. */
export function defaultRange(today: Date): CalendarRange {
  const shifted = (days: number) => {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate());
    d.setDate(d.getDate() + days);
    return isoDay(d);
  };
  return { from: shifted(-30), to: shifted(365) };
}

export interface DatabaseHooks {
  notify: Notify;
  /** Another file was opened or the data replaced: show it from the start. */
  reloaded: () => void;
  /** The calendar export needs its dialog (a date range). */
  openExport: () => void;
  /** File ▸ Connect needs its dialog (the server's address). */
  openConnect: () => void;
}

/** Carries out a File menu item or its Settings button. `null` from a dialog: cancelled. */
export async function runDatabaseAction(action: MenuAction, hooks: DatabaseHooks): Promise<void> {
  const { notify, reloaded } = hooks;
  try {
    switch (action) {
      case "export-calendar":
        hooks.openExport();
        return;
      case "connect":
        hooks.openConnect();
        return;
      case "backup": {
        const file = await api.backupDatabase();
        if (file) notify(t("database.backed_up", { file }));
        return;
      }
      case "open":
      case "new": {
        const file = action === "open" ? await api.openDatabase() : await api.newDatabase();
        if (file) {
          notify(t("database.opened", { file }));
          reloaded();
        }
        return;
      }
      case "restore": {
        const choice = await api.chooseRestore();
        if (!choice) return;
        const ok = await askConfirm(
          t("restore.title"),
          t("restore.message", { file: choice.file, kept: choice.kept_as }),
          t("restore.confirm"),
        );
        if (!ok) return;
        const restored = await api.restoreDatabase();
        notify(t("restore.done", { releases: restored.releases, kept: restored.kept_as }));
        reloaded();
        return;
      }
    }
  } catch (error) {
    notify(errorMessage(error, t("error.generic")), "error");
  }
}

/** Opens the `index`th recent database. */
export async function openRecent(index: number, hooks: DatabaseHooks): Promise<void> {
  try {
    const file = await api.openRecent(index);
    if (file) {
      hooks.notify(t("database.opened", { file }));
      hooks.reloaded();
    }
  } catch (error) {
    hooks.notify(errorMessage(error, t("error.generic")), "error");
  }
}
