export interface ToastData {
  id: number;
  message: string;
  tone: "info" | "error";
  undo?: () => void;
}
