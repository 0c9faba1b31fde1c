/**
 * @module
 * Live delivery in `npm run bench`: produce-to-delivery latency over SSE
 * with 1 and with 200 subscribers on one partition while records are
 * produced at a steady 1,000 records/s (with the bus's CPU share meanwhile),
 * and the bus's CPU time while 200 subscribers sit idle (the leader hibernates; only the worker's heartbeat
 * comments remain). Then the same load once more, to 200 subscribers of the
 * bench's fan-out route (worker/bench/fanout.ts): the target's ceiling.
 *
 * Each produce request carries its send time in every value; a subscriber
 * takes the first time in each chunk it reads (a chunk usually holds one
 * batch), so 200 subscribers do not turn the Node client into the
 * bottleneck by parsing every event.
 */

import { readdirSync, readFileSync } from "node:fs";
import { createTopic, send } from "./http.ts";
import { JSON_HEADERS } from "./payload.ts";

export interface LiveRow {
  subscribers: number;
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  /** Subscribers that read the run's last record within a second of its acknowledgement. */
  reachedEnd: number;
  /** The bus's workerd CPU time while records were produced, as a share of one core (1 = saturated: it runs on one thread). */
  busyShare: number;
}

export interface LiveResult {
  rows: LiveRow[];
  /**
   * The same load with 200 subscribers through the least fan-out a worker
   * can do (worker/bench/fanout.ts): no leader, no storage. Its p99 over the
   * 1-subscriber row's p99 bounds what the target can reach on the machine.
   */
  ceiling: LiveRow;
  /** CPU time of the bus's workerd over the idle window, ms. */
  idleCpuMs: number;
  idleSeconds: number;
}

const RECORDS_PER_BATCH = 10;
/** Every value is `{"t":<send time>}`; the run's last one also has `"last":1`. */
const SEND_TIME = Buffer.from('"t":');
const LAST = Buffer.from('"last":1');
const BATCH_EVERY_MS = 10; // 1,000 records/s
const MANY = 200;

export async function runLiveBench(url: string, busPid: number, quick: boolean): Promise<LiveResult> {
  // At 100 batches/s, 10 s give one subscriber 1,000 samples: the fewest a p999 can rest on.
  const seconds = quick ? 3 : 10;
  const rows: LiveRow[] = [];
  let idle = { cpuMs: 0, seconds: 0 };
  for (const subscribers of [1, MANY]) {
    const topic = `bench-live-${subscribers}-${Date.now()}`;
    await createTopic(url, topic);
    const records = `${url}/v1/topics/${topic}/partitions/0/records`;
    rows.push(
      await measureDelivery({ subscribe: `${records}?offset=latest`, produce: records, subscribers, busPid, seconds }, async () => {
        if (subscribers === MANY) idle = await idleCpu(busPid, quick ? 3 : 5);
      }),
    );
  }
  const fanout = `${url}/v1/_bench/fanout`;
  const ceiling = await measureDelivery({ subscribe: fanout, produce: fanout, subscribers: MANY, busPid, seconds });
  return { rows, ceiling, idleCpuMs: idle.cpuMs, idleSeconds: idle.seconds };
}

interface Delivery {
  /** Where each subscriber opens its SSE stream. */
  subscribe: string;
  /** Where the batches are posted. */
  produce: string;
  subscribers: number;
  busPid: number;
  seconds: number;
}

/** Connects the subscribers, runs `connected`, then produces steadily and gathers every subscriber's latencies. */
async function measureDelivery(d: Delivery, connected?: () => Promise<void>): Promise<LiveRow> {
  const latencies: number[] = [];
  const stop = new AbortController();
  const readers = await Promise.all(Array.from({ length: d.subscribers }, () => subscribe(d.subscribe, latencies, stop.signal)));
  await connected?.();
  latencies.length = 0;
  const cpuBefore = workerdCpuMs(d.busPid);
  const startedAt = performance.now();
  await produceSteadily(d.produce, d.seconds);
  const busyShare = (workerdCpuMs(d.busPid) - cpuBefore) / (performance.now() - startedAt);
  await new Promise((r) => setTimeout(r, 1_000)); // the last deliveries
  stop.abort();
  await Promise.allSettled(readers.map((r) => r.done));
  latencies.sort((a, b) => a - b);
  const reachedEnd = readers.filter((r) => r.reachedEnd()).length;
  return {
    subscribers: d.subscribers,
    samples: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    reachedEnd,
    busyShare,
  };
}

/** Opens one SSE subscription; resolves once it is streaming, keeps reading in the background until `done`. */
async function subscribe(url: string, latencies: number[], signal: AbortSignal): Promise<{ done: Promise<void>; reachedEnd(): boolean }> {
  const res = await fetch(url, {
    headers: { accept: "text/event-stream" },
    signal,
  });
  if (!res.ok) throw new Error(`a live subscription was refused: ${res.status} ${await res.text()}`);
  let reachedEnd = false;
  // Raw bytes, searched natively: 200 readers share the bus's two cores, so
  // decoding every chunk to text would measure the load generator.
  const reader = res.body!.getReader();
  await reader.read(); // the stream's first line (`retry:`): it is live
  // Wrapped in an object: a promise returned from an async function would be awaited with it.
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (chunk.includes(LAST)) reachedEnd = true;
        const at = chunk.indexOf(SEND_TIME);
        if (at >= 0) {
          const sentAt = Number.parseFloat(chunk.toString("latin1", at + SEND_TIME.length, at + SEND_TIME.length + 24));
          latencies.push(performance.timeOrigin + performance.now() - sentAt);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return { done, reachedEnd: () => reachedEnd };
}

async function produceSteadily(url: string, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  let next = performance.now();
  const pending: Promise<string>[] = [];
  while (performance.now() < end) {
    const t = performance.timeOrigin + performance.now();
    const body = JSON.stringify({ records: Array.from({ length: RECORDS_PER_BATCH }, () => ({ value: { t } })) });
    pending.push(send(url, { method: "POST", headers: JSON_HEADERS, body }));
    next += BATCH_EVERY_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const t = performance.timeOrigin + performance.now();
  const last = JSON.stringify({ records: [{ value: { t, last: 1 } }] });
  pending.push(send(url, { method: "POST", headers: JSON_HEADERS, body: last }));
  await Promise.all(pending);
}

/** CPU time (user + system) of the bus's workerd processes over `seconds` of idleness. */
async function idleCpu(busPid: number, seconds: number): Promise<{ cpuMs: number; seconds: number }> {
  await new Promise((r) => setTimeout(r, 500));
  const before = workerdCpuMs(busPid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return { cpuMs: workerdCpuMs(busPid) - before, seconds };
}

/** CPU time (user + system) of the workerd processes in `processGroup` so far, ms. */
function workerdCpuMs(processGroup: number): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[2] is the process group; utime and stime are fields 14 and 15 of stat (11, 12 here).
      if (Number(fields[2]) === processGroup && stat.includes("(workerd)")) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux: a tick is 10 ms
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
