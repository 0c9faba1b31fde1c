/**
 * @module
 * The live stream responses: SSE for one partition or several, and a
 * WebSocket for several. Each claims its subscriber slots before it starts
 * (refused with 503 TOO_MANY_SUBSCRIBERS when a partition has none left),
 * runs the partition pump into its transport, recycles the connection after
 * `EDGELOG_STREAM_MAX_MS` (clients resume from their last position without
 * loss), ends with a control event saying why and where to resume, and only
 * then gives its slots back.
 */

import { waitUntil } from "cloudflare:workers";
import type { StreamSettings } from "../config.ts";
import { ApiError } from "../http-error.ts";
import { formatVector } from "./positions.ts";
import { pumpPartitions, type PumpResult } from "./pump.ts";
import { claimSlots } from "./slots.ts";
import { SseStream } from "./sse.ts";

/** Bytes the worker queues for one SSE client before it stops taking frames. */
const SSE_HIGH_WATER_MARK = 256 * 1024;
/**
 * How long an ending SSE stream waits for its client to take the last
 * events: one that stopped reading would otherwise keep the stream, its
 * queue and its slots forever.
 */
const CLOSE_GRACE_MS = 10_000;
/** Seconds a client refused for want of a slot is asked to wait. */
const SLOT_RETRY_AFTER_S = 5;

interface StreamTarget {
  env: Env;
  topicId: string;
  settings: StreamSettings;
}

/** SSE over one partition: event id = record offset. */
export function partitionSse(t: StreamTarget, partition: number, from: number): Response {
  return runSse(t, new Map([[partition, from]]), (_p, records, next) => {
    let text = "";
    const first = next - records.length;
    for (let i = 0; i < records.length; i++) text += `id: ${first + i}\nevent: record\ndata: ${records[i]}\n\n`;
    return text;
  });
}

/** SSE over several partitions: every record carries its partition; event id = all positions. */
export function topicSse(t: StreamTarget, starts: Map<number, number>): Response {
  const positions = new Map([...starts].sort(([a], [b]) => a - b));
  return runSse(t, starts, (p, records, next) => {
    // Other partitions' positions are fixed during this batch.
    const before = [...positions].filter(([q]) => q < p).map(([q, o]) => `${q}:${o},`).join("");
    const after = [...positions].filter(([q]) => q > p).map(([q, o]) => `,${q}:${o}`).join("");
    let text = "";
    const first = next - records.length;
    for (let i = 0; i < records.length; i++) {
      const record = `{"partition":${p},${records[i]!.slice(1)}`;
      text += `id: ${before}${p}:${first + i + 1}${after}\nevent: record\ndata: ${record}\n\n`;
    }
    positions.set(p, next);
    return text;
  });
}

function runSse(
  t: StreamTarget,
  starts: Map<number, number>,
  render: (partition: number, records: string[], next: number) => string,
): Response {
  const slots = claim(t, [...starts.keys()]);
  const sse = new SseStream({ heartbeatMs: t.settings.heartbeatMs, retryMs: 1_000, highWaterMark: SSE_HIGH_WATER_MARK });
  const stop = new AbortController();
  sse.signal.addEventListener("abort", () => stop.abort());
  let recycled = false;
  let cut: ReturnType<typeof setTimeout> | undefined;
  const recycle = setTimeout(() => {
    recycled = true;
    stop.abort();
    // A catch-up write may be waiting on a client that stopped reading.
    cut = setTimeout(() => sse.abort(), CLOSE_GRACE_MS);
  }, t.settings.maxStreamMs);
  // Keeps the stream's code running for a while after its client has gone
  // (the runtime would cancel it at once), so the next heartbeat finds out and
  // the stream ends: its feed listeners detached, its slots given back.
  waitUntil((async () => {
    try {
      const result = await pumpPartitions(t.env, t.topicId, starts, {
        records: (p, records, next) => sse.write(render(p, records, next)),
        push(p, records, next) {
          // The client's share of buffering: past it, the client is cut off with its position.
          if (sse.queued > t.settings.subscriberBufferBytes) return false;
          sse.enqueue(render(p, records, next));
          return true;
        },
      }, stop);
      clearTimeout(recycle);
      cut ??= setTimeout(() => sse.abort(), CLOSE_GRACE_MS);
      const end = endEvent(result, recycled);
      if (end) await sse.write(`event: ${end.type}\ndata: ${JSON.stringify(end.data)}\n\n`);
      await sse.close();
    } finally {
      clearTimeout(recycle);
      if (cut !== undefined) clearTimeout(cut);
      slots.release();
    }
  })());
  return sse.response;
}

/** WebSocket over several partitions: one JSON message per batch of records. */
export function topicWebSocket(t: StreamTarget, starts: Map<number, number>): Response {
  const slots = claim(t, [...starts.keys()]);
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  const stop = new AbortController();
  let recycled = false;
  const recycle = setTimeout(() => {
    recycled = true;
    stop.abort();
  }, t.settings.maxStreamMs);
  // A WebSocket gives no view of how much the client has yet to read: frames are sent as they come.
  const send = (partition: number, records: string[], next: number) => {
    if (server.readyState !== WebSocket.OPEN) return stop.abort();
    server.send(`{"type":"records","partition":${partition},"nextOffset":${next},"records":[${records.join(",")}]}`);
  };
  server.addEventListener("close", () => stop.abort());
  server.addEventListener("error", () => stop.abort());
  waitUntil((async () => {
    try {
      const result = await pumpPartitions(t.env, t.topicId, starts, {
        records: async (partition, records, next) => {
          send(partition, records, next);
        },
        push: (partition, records, next) => {
          send(partition, records, next);
          return true;
        },
      }, stop);
      const end = endEvent(result, recycled);
      if (end && server.readyState === WebSocket.OPEN) {
        server.send(JSON.stringify({ type: end.type, ...end.data }));
        server.close(1000, end.type);
      }
    } finally {
      clearTimeout(recycle);
      slots.release();
    }
  })());
  return new Response(null, { status: 101, webSocket: client });
}

/** Claims a slot on every partition the stream follows, or refuses the stream before it starts. */
function claim(t: StreamTarget, partitions: number[]): { release(): void } {
  const max = t.settings.maxSubscribersPerPartition;
  const claimed = claimSlots(t.topicId, partitions, max);
  if (claimed.ok) return claimed;
  throw new ApiError(
    "TOO_MANY_SUBSCRIBERS",
    `partition ${claimed.partition} already has ${max} live streams on this server; retry later`,
    { limit: max, retryAfter: SLOT_RETRY_AFTER_S },
  );
}

/** The control event that ends a stream, or none when the client left. */
function endEvent(result: PumpResult, recycled: boolean): { type: string; data: Record<string, unknown> } | undefined {
  const positions = formatVector(result.positions);
  if (result.reason === "aborted") return recycled ? { type: "recycle", data: { positions } } : undefined;
  if (result.reason === "gone") return { type: "end", data: { reason: "topic deleted", positions } };
  if (result.reason === "slow") {
    return { type: "cutoff", data: { reason: "slow subscriber", partition: result.partition, positions } };
  }
  if (result.reason === "out-of-range") {
    return { type: "cutoff", data: { reason: "offset out of range", partition: result.partition, logStartOffset: result.logStartOffset, positions } };
  }
  return { type: "cutoff", data: { reason: "leader unavailable", partition: result.partition, positions } };
}
