/**
 * @module
 * The token dialog (a native `<dialog>`: focus moves in and back, Escape
 * closes it). A saved token replaces the dashboard's clients.
 */

import type { Session } from "../session.ts";

export function tokenDialog(button: HTMLButtonElement, dialog: HTMLDialogElement, session: Session, announce: (message: string) => void): void {
  const form = dialog.querySelector("form")!;
  const input = dialog.querySelector<HTMLInputElement>("#token-input")!;
  const label = () => (button.textContent = session.token ? "Token ✓" : "Token");
  label();
  button.addEventListener("click", () => {
    input.value = session.token ?? "";
    dialog.showModal();
  });
  form.addEventListener("submit", (event) => {
    const action = (event.submitter as HTMLButtonElement | null)?.value;
    if (action === "save") session.setToken(input.value);
    else if (action === "clear") session.setToken(undefined);
    else return;
    label();
    announce(session.token ? "Token saved for this tab." : "Token forgotten.");
  });
  dialog.addEventListener("close", () => button.focus());
}
