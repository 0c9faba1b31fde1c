/**
 * @module
 * Live subscribers of a partition leader, over hibernatable WebSockets.
 *
 * The worker holds each client's SSE or WebSocket connection and opens one
 * WebSocket per followed partition to the leader. The leader accepts it with
 * the Hibernation API, so while nothing is written the object can leave
 * memory: no timer, no per-subscriber work. On each append it wakes, sends
 * the batch's already-rendered records to every subscriber as one frame
 * (the same string for all), and sleeps again.
 *
 * Under fan-out the frames are batched: with COALESCE_FROM subscribers or
 * more, a batch that follows the last send too closely waits for the next
 * flush, which sends everything since as one frame. The gap grows with the
 * number of subscribers (capped at MAX_COALESCE_MS), so each send costs the
 * object's thread about the same share of its time however many listen,
 * and a quiet partition's first batch still goes out at once.
 *
 * Frames, leader → worker: `<first offset>\n<records, one JSON object per line>`.
 * Messages, worker → leader: `ack <bytes>`, the cumulative size of the frames
 * the worker has passed on to its client. A subscriber whose unacknowledged
 * bytes pass the limit is slow: the leader closes it (code 4008) rather than
 * buffer without bound; the worker tells its client where to resume.
 */

import type { LogStore } from "./log-store.ts";
import { wholeLines, type SliceSource } from "./slice.ts";

export const CLOSE_SLOW = 4008;
const CLOSE_BEHIND = 4009;
export const CLOSE_GONE = 4004;

const TAG = "subscriber";
/** A subscriber this far behind the high watermark catches up over RPC instead. */
const MAX_CATCH_UP_RECORDS = 5_000;
/** From this many subscribers on, frames are batched. */
const COALESCE_FROM = 8;
/** The gap between flushes per subscriber. A delivery measured ~150 µs of the thread locally (send, wake, stream write), so flushes take at most about 60% of it. */
const COALESCE_MS_PER_SUBSCRIBER = 0.25;
const MAX_COALESCE_MS = 50;

interface Frame {
  /** The frame as sent; empty when there is nothing to send. */
  text: string;
  /** The offset after its last record. */
  next: number;
}

interface Attachment {
  /** The next offset this subscriber should receive. */
  next: number;
  sent: number;
  acked: number;
}

export class Subscribers {
  readonly #ctx: DurableObjectState;
  readonly #log: LogStore;
  readonly #maxUnackedBytes: number;
  /**
   * Each socket's attachment as last stored, while this object is in memory:
   * reading it back from the socket (a structured-clone copy) for every
   * subscriber of every batch was the fan-out's largest cost. The socket's
   * own copy is still written on every change, for after hibernation.
   */
  readonly #attachments = new WeakMap<WebSocket, Attachment>();
  #lastFlush = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, log: LogStore, maxUnackedBytes: number) {
    this.#ctx = ctx;
    this.#log = log;
    this.#maxUnackedBytes = maxUnackedBytes;
    // Keep-alive pings from the worker are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  get count(): number {
    return this.#ctx.getWebSockets(TAG).length;
  }

  /** Accepts a subscriber starting at `from`; the caller has checked it is in range. */
  accept(from: number): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.#ctx.acceptWebSocket(server, [TAG]);
    const attachment: Attachment = { next: from, sent: 0, acked: 0 };
    this.#store(server, attachment);
    const hw = this.#log.state.highWatermark;
    if (hw - from > MAX_CATCH_UP_RECORDS) server.close(CLOSE_BEHIND, String(from));
    else if (from < hw) this.#sendFromLog(server, attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends a just-committed batch to every subscriber, at once or (under fan-out) with the next flush. */
  publish(batch: SliceSource): void {
    if (this.#flushTimer !== undefined) return; // the flush on its way takes this batch too
    const sockets = this.#ctx.getWebSockets(TAG);
    if (sockets.length < COALESCE_FROM) return this.#sendBatch(batch, sockets);
    const gap = Math.min(MAX_COALESCE_MS, sockets.length * COALESCE_MS_PER_SUBSCRIBER);
    const wait = this.#lastFlush + gap - Date.now();
    if (wait <= 0) return this.#flush();
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, wait);
  }

  /** One batch to each subscriber waiting for it, rendered once. */
  #sendBatch(batch: SliceSource, sockets: WebSocket[]): void {
    const base = batch.base_offset;
    const end = this.#log.state.highWatermark;
    let frame: string | undefined;
    for (const ws of sockets) {
      const a = this.#attachment(ws);
      if (!a || a.next >= end) continue;
      if (a.next === base) this.#send(ws, a, (frame ??= `${base}\n${wholeLines(batch).records}`), end);
      else this.#sendFromLog(ws, a); // it joined between batches: read what it lacks
    }
  }

  /** Everything each subscriber lacks, as one frame; subscribers at the same offset share it. */
  #flush(): void {
    this.#lastFlush = Date.now();
    const end = this.#log.state.highWatermark;
    const frames = new Map<number, Frame | null>();
    for (const ws of this.#ctx.getWebSockets(TAG)) {
      const a = this.#attachment(ws);
      if (a && a.next < end) this.#sendFromLog(ws, a, frames);
    }
  }

  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message !== "string" || !message.startsWith("ack ")) return;
    const acked = Number(message.slice(4));
    const a = this.#attachment(ws);
    if (!a || !Number.isSafeInteger(acked) || acked < a.acked || acked > a.sent) return;
    this.#store(ws, { ...a, acked });
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.#ctx.getWebSockets(TAG)) ws.close(code, reason);
  }

  #attachment(ws: WebSocket): Attachment | null {
    let a = this.#attachments.get(ws);
    if (a === undefined) {
      a = ws.deserializeAttachment() as Attachment | undefined;
      if (a) this.#attachments.set(ws, a);
    }
    return a ?? null;
  }

  #store(ws: WebSocket, a: Attachment): void {
    this.#attachments.set(ws, a);
    ws.serializeAttachment(a);
  }

  /** What the subscriber lacks, read from the log; `frames` shares reads between subscribers at the same offset. */
  #sendFromLog(ws: WebSocket, a: Attachment, frames?: Map<number, Frame | null>): void {
    let frame = frames?.get(a.next);
    if (frame === undefined) {
      frame = this.#frameFrom(a.next);
      frames?.set(a.next, frame);
    }
    if (frame === null) ws.close(CLOSE_BEHIND, String(a.next));
    else if (frame.text !== "") this.#send(ws, a, frame.text, frame.next);
  }

  /** The records from `from` on as a frame; null when they cannot travel as one. */
  #frameFrom(from: number): Frame | null {
    // A frame is contiguous records from its first offset on. Offsets below
    // the log start, in cold storage or with compaction gaps cannot travel
    // that way: the worker catches up over RPC reads, which handle them all.
    if (from < this.#log.state.logStartOffset || from < this.#log.segments.coldEnd) return null;
    const slice = this.#log.read(from, MAX_CATCH_UP_RECORDS, this.#maxUnackedBytes, "\n");
    if (slice.count === 0) return { text: "", next: from };
    if (slice.nextOffset - from !== slice.count) return null;
    return { text: `${from}\n${slice.records}`, next: slice.nextOffset };
  }

  #send(ws: WebSocket, a: Attachment, frame: string, next: number): void {
    // Judged on what is already in flight, so one frame larger than the
    // limit still reaches a subscriber that keeps up.
    if (a.sent - a.acked > this.#maxUnackedBytes) {
      // Slow: stop here. The worker knows what it delivered and says so.
      this.#store(ws, { ...a, next: Number.MAX_SAFE_INTEGER });
      ws.close(CLOSE_SLOW, "slow subscriber");
      return;
    }
    try {
      ws.send(frame);
    } catch {
      return; // closing already; webSocketClose cleans up
    }
    this.#store(ws, { next, sent: a.sent + frame.length, acked: a.acked });
  }
}
