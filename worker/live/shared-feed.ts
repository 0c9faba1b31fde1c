/**
 * @module
 * One leader subscription per partition per isolate, shared by every live
 * stream the isolate serves. However many clients follow a partition, its
 * leader sends each batch once per isolate, over one hibernatable
 * WebSocket, and the isolate hands the frame to each listener in memory.
 *
 * The feed acknowledges frames to the leader as soon as it has handed them
 * on: backpressure is per listener, here. A listener whose client cannot
 * keep up refuses a frame (`push` answers false) and is detached; the
 * others go on. When the last listener leaves, the link closes after a
 * short grace period (a reconnecting client finds it still open).
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
const IDLE_CLOSE_MS = 5_000;
/** Ack at most this often or every this many bytes: an ack wakes the leader. */
const ACK_DELAY_MS = 100;
const ACK_EVERY_BYTES = 256 * 1024;
/**
 * With at least this many listeners, frames arriving within COALESCE_MS of
 * the last delivery wait for the next one: a delivery costs a write per
 * client, so under load fewer, larger writes keep every client closer to
 * the head. One or a few listeners get every frame at once.
 */
const COALESCE_FROM_LISTENERS = 16;
const COALESCE_MS = 25;

const feeds = new Map<string, SharedFeed>();

export function sharedFeed(env: Env, topicId: string, partition: number): SharedFeed {
  const key = `${topicId}/${partition}`;
  let feed = feeds.get(key);
  if (!feed) feeds.set(key, (feed = new SharedFeed(env, topicId, partition, () => feeds.delete(key))));
  return feed;
}

export class SharedFeed {
  readonly #env: Env;
  readonly #topicId: string;
  readonly #partition: number;
  readonly #forget: () => void;
  readonly #listeners = new Set<FeedListener>();
  #ws: WebSocket | undefined;
  #opening: Promise<void> | undefined;
  /** The next offset the feed will receive. */
  #next = 0;
  #received = 0;
  #acked = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Records received but not yet handed to the listeners (see COALESCE_MS). */
  #pending: { first: number; records: string[] } | undefined;
  #deliverTimer: ReturnType<typeof setTimeout> | undefined;
  #deliveredAt = 0;

  constructor(env: Env, topicId: string, partition: number, forget: () => void) {
    this.#env = env;
    this.#topicId = topicId;
    this.#partition = partition;
    this.#forget = forget;
  }

  /**
   * Attaches a listener whose records up to `listener.next` are delivered.
   * Not attached when the feed is already past that point: read up to
   * `feedNext` first, then attach again.
   */
  async attach(listener: FeedListener): Promise<Attachment> {
    if (!this.#ws) await (this.#opening ??= this.#open(listener.next));
    if (!this.#ws || this.#next > listener.next) return { attached: false, feedNext: this.#next };
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#listeners.add(listener);
    return { attached: true };
  }

  detach(listener: FeedListener): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size === 0 && this.#idleTimer === undefined) {
      this.#idleTimer = setTimeout(() => this.#ws?.close(1000, "no listeners"), IDLE_CLOSE_MS);
    }
  }

  async #open(from: number): Promise<void> {
    const leader = leaderStub(this.#env, this.#topicId, this.#partition);
    try {
      const res = await leader.fetch(`https://leader/subscribe?from=${from}`, { headers: { Upgrade: "websocket" } });
      const ws = res.webSocket;
      if (!ws) return; // out of range or gone: the listener's next read says which
      ws.accept();
      this.#ws = ws;
      this.#next = from;
      this.#keepalive = setInterval(() => ws.send("ping"), KEEPALIVE_MS);
      ws.addEventListener("message", (event) => this.#onFrame(event.data));
      ws.addEventListener("close", (event) => this.#onClose(event.code));
      ws.addEventListener("error", () => this.#onClose(1006));
    } finally {
      this.#opening = undefined;
    }
  }

  #onFrame(frame: unknown): void {
    if (typeof frame !== "string" || frame === "pong") return;
    const newline = frame.indexOf("\n");
    const first = Number(frame.slice(0, newline));
    const records = frame.slice(newline + 1).split("\n");
    if (first !== this.#next) return; // cannot happen: the leader sends in order
    this.#next = first + records.length;
    if (this.#pending) this.#pending.records.push(...records);
    else this.#pending = { first, records };
    this.#received += frame.length;
    if (this.#received - this.#acked >= ACK_EVERY_BYTES) this.#ack();
    else this.#ackTimer ??= setTimeout(() => this.#ack(), ACK_DELAY_MS);
    if (this.#listeners.size < COALESCE_FROM_LISTENERS) return this.#deliver();
    // Many listeners: every delivery is a write per client, so frames that
    // come close together go out as one.
    const wait = this.#deliveredAt + COALESCE_MS - Date.now();
    if (wait <= 0) this.#deliver();
    else this.#deliverTimer ??= setTimeout(() => this.#deliver(), wait);
  }

  #deliver(): void {
    if (this.#deliverTimer !== undefined) clearTimeout(this.#deliverTimer);
    this.#deliverTimer = undefined;
    const batch = this.#pending;
    if (!batch) return;
    this.#pending = undefined;
    this.#deliveredAt = Date.now();
    const { first, records } = batch;
    const end = first + records.length;
    for (const listener of this.#listeners) {
      if (listener.next >= end) continue;
      const mine = listener.next > first ? records.slice(listener.next - first) : records;
      if (listener.push(mine, end)) listener.next = end;
      else this.detach(listener);
    }
  }

  #ack(): void {
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#received > this.#acked && this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(`ack ${this.#received}`);
    this.#acked = this.#received;
  }

  #onClose(code: number): void {
    if (!this.#ws) return;
    this.#ws = undefined;
    for (const timer of [this.#ackTimer, this.#idleTimer, this.#deliverTimer]) if (timer !== undefined) clearTimeout(timer);
    // Undelivered records are durable: the listeners read them when they catch up.
    this.#pending = undefined;
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#forget();
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.closed(code === CLOSE_GONE ? "gone" : "lost");
  }
}
