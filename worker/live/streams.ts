/**
 * @module
 * The live stream responses: SSE for one partition or several, and a
 * WebSocket for several. Each runs the partition pump into its transport,
 * recycles SSE connections after a while (clients resume from the last event
 * id without loss), and ends with a control event saying why and where to
 * resume.
 */

import type { StreamSettings } from "../config.ts";
import { formatVector } from "./positions.ts";
import { pumpPartitions, type PumpResult } from "./pump.ts";
import { SseStream } from "./sse.ts";

/** Bytes the worker queues for one SSE client before it stops taking frames. */
const SSE_HIGH_WATER_MARK = 256 * 1024;

interface StreamTarget {
  env: Env;
  topicId: string;
  settings: StreamSettings;
}

/** SSE over one partition: event id = record offset. */
export function partitionSse(t: StreamTarget, partition: number, from: number): Response {
  return runSse(t, new Map([[partition, from]]), (p, records, next) => {
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
  const sse = new SseStream({ heartbeatMs: t.settings.heartbeatMs, retryMs: 1_000, highWaterMark: SSE_HIGH_WATER_MARK });
  const stop = new AbortController();
  sse.signal.addEventListener("abort", () => stop.abort());
  let recycled = false;
  const recycle = setTimeout(() => {
    recycled = true;
    stop.abort();
  }, t.settings.maxStreamMs);
  void (async () => {
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
    const end = endEvent(result, recycled);
    if (end) await sse.write(`event: ${end.type}\ndata: ${JSON.stringify(end.data)}\n\n`);
    await sse.close();
  })();
  return sse.response;
}

/** WebSocket over several partitions: one JSON message per batch of records. */
export function topicWebSocket(t: StreamTarget, starts: Map<number, number>): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  const stop = new AbortController();
  // A WebSocket gives no view of how much the client has yet to read: frames are sent as they come.
  const send = (partition: number, records: string[], next: number) => {
    if (server.readyState !== WebSocket.OPEN) return stop.abort();
    server.send(`{"type":"records","partition":${partition},"nextOffset":${next},"records":[${records.join(",")}]}`);
  };
  server.addEventListener("close", () => stop.abort());
  server.addEventListener("error", () => stop.abort());
  void (async () => {
    const result = await pumpPartitions(t.env, t.topicId, starts, {
      records: async (partition, records, next) => {
        send(partition, records, next);
      },
      push: (partition, records, next) => {
        send(partition, records, next);
        return true;
      },
    }, stop);
    const end = endEvent(result, false);
    if (end && server.readyState === WebSocket.OPEN) {
      server.send(JSON.stringify({ type: end.type, ...end.data }));
      server.close(1000, end.type);
    }
  })();
  return new Response(null, { status: 101, webSocket: client });
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
