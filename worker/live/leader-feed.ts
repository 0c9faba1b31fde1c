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

export interface LinkOptions {
  env: Env;
  topicId: string;
  partition: number;
  /** The first offset the stream needs. */
  from: number;
  signal: AbortSignal;
  /** Takes new records with the offset after them; false when the client has fallen too far behind. */
  push(records: string[], next: number): boolean;
}

/**
 * Why the link ended: the stream stopped (`aborted`), its client was too
 * slow (`slow`), the topic is gone (`gone`), the link was lost (`lost`), or
 * the leader would not open one from there (`refused`: the offset is out of
 * range or the topic is gone; a read says which).
 */
export type LinkEnd = "aborted" | "slow" | "gone" | "lost" | "refused";

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

/** Follows the leader from `o.from` until the link ends; resolves with why, and the offset the stream needs next. */
export async function followLeader(o: LinkOptions): Promise<{ end: LinkEnd; next: number }> {
  if (o.signal.aborted) return { end: "aborted", next: o.from };
  const leader = leaderStub(o.env, o.topicId, o.partition);
  const res = await leader.fetch(`https://leader/subscribe?from=${o.from}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) return { end: "refused", next: o.from };
  ws.accept();
  let next = o.from;
  let received = 0;
  let acked = 0;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  const ack = () => {
    if (ackTimer !== undefined) clearTimeout(ackTimer);
    ackTimer = undefined;
    if (received > acked && ws.readyState === WebSocket.OPEN) ws.send(`ack ${received}`);
    acked = received;
  };
  const keepalive = setInterval(() => ws.send("ping"), KEEPALIVE_MS);
  return new Promise((resolve) => {
    let ended = false;
    const end = (why: LinkEnd) => {
      if (ended) return;
      ended = true;
      if (ackTimer !== undefined) clearTimeout(ackTimer);
      clearInterval(keepalive);
      o.signal.removeEventListener("abort", onAbort);
      // Records not yet handed on are durable: the stream reads them when it catches up.
      if (why === "aborted" || why === "slow") ws.close(1000, why);
      resolve({ end: why, next });
    };
    const onAbort = () => end("aborted");
    o.signal.addEventListener("abort", onAbort);
    if (o.signal.aborted) return end("aborted");
    ws.addEventListener("close", (event) => end(event.code === CLOSE_GONE ? "gone" : "lost"));
    ws.addEventListener("error", () => end("lost"));
    ws.addEventListener("message", ({ data: frame }) => {
      if (ended || typeof frame !== "string" || frame === "pong") return;
      const newline = frame.indexOf("\n");
      const first = Number(frame.slice(0, newline));
      // The leader sends in order from `from`. If a frame ever starts elsewhere,
      // ignoring it would stall the stream for good: end the link instead, and
      // the follower catches up over reads and links again from where it is.
      if (first !== next) return end("lost");
      const records = frame.slice(newline + 1).split("\n");
      received += frame.length;
      if (received - acked >= ACK_EVERY_BYTES) ack();
      else ackTimer ??= setTimeout(ack, ACK_DELAY_MS);
      if (!o.push(records, first + records.length)) return end("slow");
      next = first + records.length;
    });
  });
}
