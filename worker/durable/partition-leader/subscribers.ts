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

  /** Sends a just-committed batch to every subscriber (rendered once, and only if one is waiting for it). */
  publish(batch: SliceSource): void {
    const base = batch.base_offset;
    const end = this.#log.state.highWatermark;
    let frame: string | undefined;
    for (const ws of this.#ctx.getWebSockets(TAG)) {
      const a = this.#attachment(ws);
      if (!a || a.next >= end) continue;
      if (a.next === base) this.#send(ws, a, (frame ??= `${base}\n${wholeLines(batch).records}`), end);
      else this.#sendFromLog(ws, a); // it joined between batches: read what it lacks
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

  #sendFromLog(ws: WebSocket, a: Attachment): void {
    // A frame is contiguous records from its first offset on. Offsets below
    // the log start, in cold storage or with compaction gaps cannot travel
    // that way: the worker catches up over RPC reads, which handle them all.
    if (a.next < this.#log.state.logStartOffset || a.next < this.#log.segments.coldEnd) {
      ws.close(CLOSE_BEHIND, String(a.next));
      return;
    }
    const slice = this.#log.read(a.next, MAX_CATCH_UP_RECORDS, this.#maxUnackedBytes, "\n");
    if (slice.count > 0 && slice.nextOffset - a.next !== slice.count) ws.close(CLOSE_BEHIND, String(a.next));
    else if (slice.count > 0) this.#send(ws, a, `${a.next}\n${slice.records}`, slice.nextOffset);
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
