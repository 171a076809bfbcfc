/** Where the main area is. Plain state: Relman has a handful of screens and no URLs to share. */
export type View =
  | { page: "releases" }
  | { page: "release"; key: string; tab?: "plan" | "rollback" | "testing" | "after" }
  | { page: "calendar" }
  | { page: "environments" }
  | { page: "changes" }
  | { page: "cis" }
  | { page: "models" }
  | { page: "measures" }
  | { page: "settings" };

export type Notify = (message: string, tone?: "info" | "error", undo?: () => void) => void;
