export interface ToastData {
  id: number;
  message: string;
  tone: "info" | "error";
  undo?: () => void;
  /** The label of the `undo` button when it does something else (e.g. "Reload"). */
  action?: string;
}
