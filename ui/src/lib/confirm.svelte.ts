// One question at a time, asked in a dialog the shell draws: "are you sure?" before an edit
// with consequences the user may not expect (an authorized release going back to the CAB).

export interface ConfirmRequest {
  title: string;
  message: string;
  confirm: string;
  answer: (ok: boolean) => void;
}

export const confirmation = $state<{ request: ConfirmRequest | null }>({ request: null });

/** Resolves true when the user confirms, false when they cancel or press Esc. */
export function askConfirm(title: string, message: string, confirm: string): Promise<boolean> {
  confirmation.request?.answer(false);
  return new Promise((resolve) => {
    confirmation.request = {
      title,
      message,
      confirm,
      answer: (ok) => {
        confirmation.request = null;
        resolve(ok);
      },
    };
  });
}
