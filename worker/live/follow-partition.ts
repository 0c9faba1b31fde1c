/**
 * @module
 * Follows one partition for a live stream: catches up over RPC reads, then
 * subscribes to the leader over a hibernatable WebSocket for new batches.
 * Records reach `deliver` in offset order, exactly once each; `deliver`'s
 * promise is the backpressure: frames are acknowledged to the leader only
 * after the client has taken them, so a slow client makes the leader cut the
 * subscription instead of buffering.
 */

import { CLOSE_GONE, CLOSE_SLOW } from "../durable/partition-leader/subscribers.ts";
import { leaderStub } from "../leaders.ts";

export type FollowEnd =
  | { reason: "aborted" | "slow" | "gone"; next: number }
  | { reason: "out-of-range"; next: number; logStartOffset: number };

export interface FollowOptions {
  env: Env;
  topicId: string;
  partition: number;
  from: number;
  signal: AbortSignal;
  /** Acknowledge at least every this many bytes (a fraction of the leader's subscriber buffer). */
  ackEveryBytes: number;
  /** Receives each record (a JSON object as text) with the offset to follow it. */
  deliver(records: string[], next: number): Promise<void>;
}

const CATCH_UP_PAGE = 1_000;
const CATCH_UP_BYTES = 1024 * 1024;
/** The longest an ack waits for more frames to cover. */
const ACK_DELAY_MS = 100;
/** The leader answers "ping" itself without waking; this keeps idle links open. */
const KEEPALIVE_MS = 30_000;

export async function followPartition(o: FollowOptions): Promise<FollowEnd> {
  const leader = leaderStub(o.env, o.topicId, o.partition);
  let next = o.from;
  while (!o.signal.aborted) {
    for (;;) {
      const page = await leader.read({ from: next, maxRecords: CATCH_UP_PAGE, maxBytes: CATCH_UP_BYTES, waitMs: 0, lines: true });
      if (!page.ok) return failureEnd(page.error, next);
      if (page.count === 0) break;
      await o.deliver(page.records.split("\n"), page.nextOffset);
      next = page.nextOffset;
      if (o.signal.aborted) return { reason: "aborted", next };
    }
    const live = await subscribe(leader, next, o);
    next = live.next;
    if (live.end) return live.end;
    // Otherwise the leader sent us back to catch up (too far behind) or the
    // link dropped: read what we missed and subscribe again.
  }
  return { reason: "aborted", next };
}

function failureEnd(error: { code: string; logStartOffset?: number }, next: number): FollowEnd {
  if (error.code === "OFFSET_OUT_OF_RANGE") return { reason: "out-of-range", next, logStartOffset: error.logStartOffset ?? 0 };
  return { reason: "gone", next };
}

type Leader = ReturnType<typeof leaderStub>;

async function subscribe(leader: Leader, from: number, o: FollowOptions): Promise<{ next: number; end?: FollowEnd }> {
  const res = await leader.fetch(`https://leader/subscribe?from=${from}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) {
    const body = (await res.json()) as { error: { code: string; logStartOffset?: number } };
    return { next: from, end: failureEnd(body.error, from) };
  }
  ws.accept();
  let next = from;
  let received = 0;
  let acked = 0;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  // Acks are batched: one per quarter of the leader's buffer, or shortly
  // after the last frame. An ack per frame would wake the leader once per
  // subscriber per append.
  const sendAck = () => {
    if (ackTimer !== undefined) clearTimeout(ackTimer);
    ackTimer = undefined;
    if (received > acked && ws.readyState === WebSocket.OPEN) ws.send(`ack ${received}`);
    acked = received;
  };
  let chain = Promise.resolve();
  const keepalive = setInterval(() => ws.send("ping"), KEEPALIVE_MS);
  const onAbort = () => ws.close(1000, "client gone");
  o.signal.addEventListener("abort", onAbort);
  ws.addEventListener("message", (event) => {
    const frame = event.data;
    if (typeof frame !== "string" || frame === "pong") return;
    // Frames are handled one after another so records stay in order and the
    // ack only ever covers what the client has taken.
    chain = chain.then(async () => {
      const newline = frame.indexOf("\n");
      const first = Number(frame.slice(0, newline));
      const records = frame.slice(newline + 1).split("\n");
      if (first !== next) return; // cannot happen: the leader sends in order
      await o.deliver(records, first + records.length);
      next = first + records.length;
      received += frame.length;
      if (received - acked >= o.ackEveryBytes) sendAck();
      else ackTimer ??= setTimeout(sendAck, ACK_DELAY_MS);
    });
  });
  const code = await new Promise<number>((resolve) => {
    ws.addEventListener("close", (event) => resolve(event.code));
    ws.addEventListener("error", () => resolve(1006));
  });
  clearInterval(keepalive);
  if (ackTimer !== undefined) clearTimeout(ackTimer);
  o.signal.removeEventListener("abort", onAbort);
  await chain;
  if (o.signal.aborted) return { next, end: { reason: "aborted", next } };
  if (code === CLOSE_SLOW) return { next, end: { reason: "slow", next } };
  if (code === CLOSE_GONE) return { next, end: { reason: "gone", next } };
  return { next };
}
