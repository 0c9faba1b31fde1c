/**
 * @module
 * A live stream's link to a partition leader: one hibernatable WebSocket,
 * opened from the stream's own request, over which the leader sends each
 * new batch. The link acknowledges frames to the leader once it has handed
 * them on (the leader cuts a link that falls too far behind); the stream's
 * own buffer decides when its client is too slow (`push` answers false).
 *
 * Why one link per stream, not one per isolate shared by every stream of a
 * partition: a shared link receives its frames in the request that opened
 * it, and handing them to another request's response means resolving that
 * request's promises from the wrong request. Under load (200 subscribers of
 * one partition at 1,000 records/s) workerd then lost or stalled writes of
 * about half the streams: records missing from a stream's start, or a
 * stream that never received the last record. Frames that arrive in the
 * stream's own request have no such hop. The leader pays one send per
 * subscriber per batch, and still sleeps while nothing is written.
 */

import { CLOSE_GONE } from "../durable/partition-leader/subscribers.ts";
import { leaderStub } from "../leaders.ts";

export interface FeedListener {
  /** The next offset this listener needs. */
  next: number;
  /** Takes records from `next` on; false when its client has fallen too far behind. */
  push(records: string[], next: number): boolean;
  /** The feed stopped: the topic is gone, or the link was lost (catch up and attach again). */
  closed(reason: "gone" | "lost"): void;
}

export type Attachment = { attached: true } | { attached: false; feedNext: number };

/** The leader answers "ping" itself without waking; this keeps idle links open. */
const KEEPALIVE_MS = 30_000;
/**
 * Ack at most this often or every this many bytes: an ack wakes the leader,
 * and every subscriber has its own link, so acks are kept rare. The leader
 * cuts a link only when its unacknowledged bytes pass the subscriber buffer
 * (4 MiB by default), far above a second of any live stream.
 */
const ACK_DELAY_MS = 1_000;
const ACK_EVERY_BYTES = 256 * 1024;

/** A new link for one stream's listener; it closes when that listener leaves. */
export function leaderFeed(env: Env, topicId: string, partition: number): LeaderFeed {
  return new LeaderFeed(env, topicId, partition);
}

export class LeaderFeed {
  readonly #env: Env;
  readonly #topicId: string;
  readonly #partition: number;
  #listener: FeedListener | undefined;
  #ws: WebSocket | undefined;
  /** The next offset the link will receive. */
  #next = 0;
  #received = 0;
  #acked = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #keepalive: ReturnType<typeof setInterval> | undefined;

  constructor(env: Env, topicId: string, partition: number) {
    this.#env = env;
    this.#topicId = topicId;
    this.#partition = partition;
  }

  /**
   * Opens the link from `listener.next` and attaches the listener. Not
   * attached when the leader refused the link (the offset is out of range,
   * or the topic is gone): the listener's next read says which.
   */
  async attach(listener: FeedListener): Promise<Attachment> {
    await this.#open(listener.next);
    if (!this.#ws) return { attached: false, feedNext: listener.next };
    this.#listener = listener;
    return { attached: true };
  }

  detach(listener: FeedListener): void {
    if (this.#listener !== listener) return;
    this.#listener = undefined;
    this.#ws?.close(1000, "no listener");
    this.#stop();
  }

  async #open(from: number): Promise<void> {
    const leader = leaderStub(this.#env, this.#topicId, this.#partition);
    const res = await leader.fetch(`https://leader/subscribe?from=${from}`, { headers: { Upgrade: "websocket" } });
    const ws = res.webSocket;
    if (!ws) return;
    ws.accept();
    this.#ws = ws;
    this.#next = from;
    this.#keepalive = setInterval(() => ws.send("ping"), KEEPALIVE_MS);
    ws.addEventListener("message", (event) => this.#onFrame(event.data));
    ws.addEventListener("close", (event) => this.#onClose(event.code));
    ws.addEventListener("error", () => this.#onClose(1006));
  }

  #onFrame(frame: unknown): void {
    if (typeof frame !== "string" || frame === "pong") return;
    const newline = frame.indexOf("\n");
    const first = Number(frame.slice(0, newline));
    const records = frame.slice(newline + 1).split("\n");
    if (first !== this.#next) return; // cannot happen: the leader sends in order
    this.#next = first + records.length;
    this.#received += frame.length;
    if (this.#received - this.#acked >= ACK_EVERY_BYTES) this.#ack();
    else this.#ackTimer ??= setTimeout(() => this.#ack(), ACK_DELAY_MS);
    const listener = this.#listener;
    if (!listener || listener.next >= this.#next) return;
    const mine = listener.next > first ? records.slice(listener.next - first) : records;
    if (listener.push(mine, this.#next)) listener.next = this.#next;
    else this.detach(listener);
  }

  #ack(): void {
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#received > this.#acked && this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(`ack ${this.#received}`);
    this.#acked = this.#received;
  }

  #onClose(code: number): void {
    if (!this.#ws) return;
    this.#stop();
    // Records not yet handed on are durable: the listener reads them when it catches up.
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.closed(code === CLOSE_GONE ? "gone" : "lost");
  }

  #stop(): void {
    this.#ws = undefined;
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#ackTimer = undefined;
    this.#keepalive = undefined;
  }
}
