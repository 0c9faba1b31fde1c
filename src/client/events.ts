/**
 * @module
 * The client's events, typed: `online`, `offline`, `synced`, `error` and
 * `dropped`. A listener that throws never breaks the sync engine: its error
 * is rethrown on a fresh task, where the page's error handling sees it.
 */

import type { ProduceRecord } from "../protocol/types.ts";
import type { EdgelogError } from "./errors.ts";

/** A record that could not be delivered, with everything needed to keep or resend it. */
export interface FailedRecord {
  /** The outbox id `send()` resolved with. */
  id: number;
  topic: string;
  record: ProduceRecord;
}

export type DropReason = "outbox-full" | "quota";

export interface ClientEventMap {
  /** The bus is reachable again (a browser `online` event or a request that got through). */
  online: { type: "online" };
  /** The bus is unreachable (a browser `offline` event or a request that failed on the network). */
  offline: { type: "offline" };
  /** The outbox is empty: everything sent so far is acknowledged (or dead-lettered). */
  synced: { type: "synced" };
  /** Records the bus refused for good; they moved to the dead-letter list. */
  error: { type: "error"; error: EdgelogError; records: FailedRecord[] };
  /**
   * Records discarded by the outbox policy: the oldest pending ones (outbox
   * ids `firstId` to `lastId`), or — when the browser's storage quota refuses
   * every write — the records being sent (their `send()` rejects with
   * OUTBOX_FULL; ids 0). `total` counts every drop so far.
   */
  dropped: { type: "dropped"; count: number; reason: DropReason; total: number; firstId: number; lastId: number };
}

export type ClientEventType = keyof ClientEventMap;
export type Listener<K extends ClientEventType> = (event: ClientEventMap[K]) => void;

export class Emitter {
  readonly #listeners = new Map<ClientEventType, Set<Listener<never>>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends ClientEventType>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends ClientEventType>(type: K, listener: Listener<K>): void {
    this.#listeners.get(type)?.delete(listener as Listener<never>);
  }

  emit<K extends ClientEventType>(event: ClientEventMap[K] & { type: K }): void {
    for (const listener of [...(this.#listeners.get(event.type) ?? [])]) {
      try {
        (listener as Listener<K>)(event);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}
