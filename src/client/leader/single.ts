/**
 * @module
 * Leadership when nothing else can share the outbox: a Node process (its
 * file outbox is locked to one process) or a memory outbox. The only
 * candidate leads at once. Also the fallback in browsers without Web Locks,
 * where each tab leads: there, open one tab per outbox, or the tabs fence
 * each other's epochs.
 */

import type { Leadership } from "./types.ts";

export class SingleLeadership implements Leadership {
  #leader = false;

  get isLeader(): boolean {
    return this.#leader;
  }

  start(lead: () => void): void {
    this.#leader = true;
    queueMicrotask(lead);
  }

  stop(): void {
    this.#leader = false;
  }
}
