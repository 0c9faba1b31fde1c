/**
 * @module
 * Leader election across tabs with the Web Locks API: the leader holds an
 * exclusive lock for its lifetime; the other tabs queue for it, and the
 * browser hands it to the next one when the leader's tab closes or crashes.
 */

import type { Leadership } from "./types.ts";

export class WebLocksLeadership implements Leadership {
  readonly #name: string;
  readonly #controller = new AbortController();
  #release: (() => void) | undefined;
  #leader = false;

  constructor(lockName: string) {
    this.#name = lockName;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  start(lead: () => void): void {
    navigator.locks
      .request(this.#name, { signal: this.#controller.signal }, async () => {
        if (this.#controller.signal.aborted) return;
        this.#leader = true;
        lead();
        await new Promise<void>((resolve) => (this.#release = resolve));
        this.#leader = false;
      })
      .catch(() => {
        // Aborted while queued: stop() was called before this tab was elected.
      });
  }

  stop(): void {
    this.#controller.abort();
    this.#release?.();
  }
}
