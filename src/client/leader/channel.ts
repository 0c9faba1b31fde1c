/**
 * @module
 * The messages tabs sharing an outbox exchange over a BroadcastChannel:
 * appenders wake the leader; the leader reports progress and relays the
 * events every tab's app should see. Where nothing is shared (Node, a memory
 * outbox) it is a no-op.
 */

import type { ErrorInfo } from "../errors.ts";
import type { DropReason, FailedRecord } from "../events.ts";
import type { Counters } from "../outbox/types.ts";

export type TabMessage =
  /** Records were appended: the leader should seal them. */
  | { type: "appended" }
  /** A tab is flushing: the leader should not linger. */
  | { type: "flush" }
  /** The leader settled batches; flushes re-check their marks. */
  | { type: "progress"; counters: Counters }
  | { type: "synced" }
  | { type: "error"; error: ErrorInfo; records: FailedRecord[] }
  | { type: "dropped"; count: number; reason: DropReason; total: number; firstId: number; lastId: number };

export class TabChannel {
  readonly #channel: BroadcastChannel | undefined;

  constructor(name: string, shared: boolean, onMessage: (message: TabMessage) => void) {
    if (!shared || typeof BroadcastChannel === "undefined") return;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  }

  post(message: TabMessage): void {
    this.#channel?.postMessage(message);
  }

  close(): void {
    this.#channel?.close();
  }
}
