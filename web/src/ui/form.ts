/**
 * @module
 * Form building blocks: a labelled field (hint and error tied to the
 * control with aria-describedby), and a status line that reports progress
 * politely and errors assertively.
 */

import type { EdgelogError } from "../../../src/index.ts";
import { h, uid } from "./dom.ts";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A label above its control, with an optional hint. */
export function field(label: string, control: Control, hint?: string): HTMLElement {
  control.id ||= uid("field");
  const hintEl = hint ? h("span", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

/** Marks a control invalid with a message, or clears it. */
export function setInvalid(control: Control, message: string | undefined): void {
  const id = `${control.id}-error`;
  control.parentElement?.querySelector(`#${CSS.escape(id)}`)?.remove();
  const describedBy = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((x) => x && x !== id);
  if (message === undefined) {
    control.removeAttribute("aria-invalid");
  } else {
    control.setAttribute("aria-invalid", "true");
    control.insertAdjacentElement("afterend", h("span", { class: "field-error", id }, message));
    describedBy.push(id);
  }
  if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" "));
  else control.removeAttribute("aria-describedby");
}

export interface StatusLine {
  element: HTMLElement;
  busy(message: string): void;
  ok(message: string): void;
  error(err: unknown): void;
  clear(): void;
}

export function statusLine(): StatusLine {
  const polite = h("p", { class: "status", role: "status" });
  const alert = h("p", { class: "status error", role: "alert" });
  const set = (ok: string, bad: string) => {
    polite.textContent = ok;
    alert.textContent = bad;
  };
  return {
    element: h("div", { class: "status-line" }, polite, alert),
    busy: (message) => set(message, ""),
    ok: (message) => set(message, ""),
    error: (err) => set("", describeError(err)),
    clear: () => set("", ""),
  };
}

/** An error as a person reads it: the bus's code and message, and what to do about a missing token. */
export function describeError(err: unknown): string {
  const e = err as Partial<EdgelogError>;
  if (!e || typeof e.code !== "string") return String((err as Error)?.message ?? err);
  const issues = (e.details?.issues ?? []).map((i) => `${i.path}: ${i.message}`).join("; ");
  const text = `${e.code}: ${e.message}${issues && !e.message?.includes(issues) ? ` (${issues})` : ""}`;
  if (e.code === "UNAUTHORIZED" || e.code === "FORBIDDEN") return `${text} — use the Token button to give the dashboard an admin token.`;
  return text;
}
