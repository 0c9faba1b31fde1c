/**
 * @module
 * The outbox benchmark, in one Chromium page against a real local bus:
 *
 *  - append: 10,000 events of ~200 bytes stored three ways — edgelog's
 *    `send()`, workbox-background-sync's `Queue.pushRequest`, one IndexedDB
 *    transaction per event. Each is called as an app firing events would:
 *    10,000 calls without awaiting each, then awaited together.
 *  - drain: edgelog's outbox (appended offline by a client made at page
 *    load, online, that already sent an event to each partition, as a
 *    running app has) sent to the bus once back online — from the
 *    `online` moment to `flush()` resolved — against the bus accepting
 *    the very same batches (the client's own seal planner cuts them) posted
 *    from Node, one request at a time per partition, partitions in parallel,
 *    as the client sends them.
 *
 * Each phase runs alone, a second apart: thousands of IndexedDB
 * transactions keep the browser's storage busy for a while after they end.
 * On a 2-core machine single runs are noisy: edgelog's append, its drain and
 * the Node baseline are each the median of `rounds` runs.
 *
 * Targets: edgelog appends ≥ 10× workbox's events/s; the drain runs at ≥ half
 * the Node rate. Run alone with `node test/bench/outbox.ts` (it starts its
 * own bus); `runOutboxBench()` returns the rows for a larger report.
 */

import { createServer, type Server } from "node:http";
import { resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { encodeRecord } from "../../src/client/records.ts";
import { SealPlanner } from "../../src/client/sync/plan.ts";
import type { PendingRecord } from "../../src/client/outbox/types.ts";
import { startBus } from "../support/bus.ts";

const PAGE_SCRIPT = resolve(import.meta.dirname, "../browser/page/bench.ts");
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** The client's defaults, which the Node baseline cuts its batches with. */
const MAX_BATCH_RECORDS = 1_000;
const MAX_BATCH_BYTES = 512 * 1024;

export interface OutboxBenchOptions {
  /** A running bus; when absent one is started (and stopped). */
  busUrl?: string;
  events?: number;
  partitions?: number;
  /** Rounds of edgelog append, drain and Node baseline; the medians are reported (default 3). */
  rounds?: number;
  /** Events for the two slow baselines (workbox, a transaction per event), when fewer than `events` will do (their rate is per event). */
  baselineEvents?: number;
}

export interface BenchRow {
  name: string;
  events: number;
  ms: number;
  eventsPerSec: number;
}

export interface OutboxBenchResult {
  rows: BenchRow[];
  /** edgelog append events/s ÷ workbox's; target ≥ 10. */
  appendVsWorkbox: number;
  /** edgelog drain events/s ÷ Node's; target ≥ 0.5. */
  drainVsNode: number;
}

interface BenchEvent {
  key: string;
  value: Record<string, string | number>;
}

interface Timing {
  events: number;
  ms: number;
}

/** ~200-byte activity events from 50 visitors. */
function makeEvents(count: number): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `visitor-${String(i % 50).padStart(4, "0")}`,
    value: { event: "page_view", n: i, url: `https://shop.example/products/${i % 997}`, session: "5f0c2a9e-7d1b-4c3e-9a8f-1b2c3d4e5f60", ts: 1_700_000_000_000 + i },
  }));
}

async function createTopic(bus: string, name: string, partitions: number): Promise<void> {
  const res = await fetch(`${bus}/v1/topics/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ partitions }) });
  if (res.status !== 201) throw new Error(`cannot create ${name}: ${res.status} ${await res.text()}`);
}

async function servePage(): Promise<{ url: string; server: Server }> {
  const bundle = await build({
    entryPoints: [PAGE_SCRIPT],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2023",
    minify: true,
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const script = bundle.outputFiles[0]!.contents;
  const server = createServer((req, res) => {
    if (req.url === "/bench.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      return res.end(script);
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end('<!doctype html><meta charset="utf-8"><title>outbox bench</title><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

/** The batches the client would seal for these events, posted from Node like the client posts them. */
async function nodeBaseline(bus: string, topic: string, partitions: number, events: BenchEvent[]): Promise<Timing> {
  const pending: PendingRecord[] = events.map((e, i) => ({ ...encodeRecord(topic, e, Date.now()), id: i + 1 }));
  const identity = { producerId: crypto.randomUUID(), epoch: 0 };
  // Cut batches exactly as the outbox does (same planner, same limits), all at once.
  const planner = new SealPlanner(
    {
      identity,
      topics: new Map([[topic, { partitions, maxMessageBytes: 1024 * 1024 }]]),
      maxBatchRecords: MAX_BATCH_RECORDS,
      maxBatchBytes: MAX_BATCH_BYTES,
      maxSealedPerPartition: Infinity,
      scanLimit: Infinity,
      pickKeyless: () => 0,
    },
    [],
    [],
    0,
  );
  for (const r of pending) planner.offer(r);
  const byPartition = new Map<number, string[]>();
  for (const b of planner.finish().batches) byPartition.set(b.partition, [...(byPartition.get(b.partition) ?? []), b.body]);
  const started = performance.now();
  await Promise.all(
    [...byPartition].map(async ([partition, bodies]) => {
      for (const [i, body] of bodies.entries()) {
        const res = await fetch(`${bus}/v1/topics/${topic}/partitions/${partition}/records`, {
          method: "POST",
          headers: { "content-type": "application/json", "Producer-Id": identity.producerId, "Producer-Epoch": "0", "Producer-Seq": String(i) },
          body,
        });
        if (!res.ok) throw new Error(`baseline produce failed: ${res.status} ${await res.text()}`);
      }
    }),
  );
  return { events: events.length, ms: performance.now() - started };
}

function median(timings: Timing[]): Timing {
  return [...timings].sort((a, b) => a.ms - b.ms)[Math.floor(timings.length / 2)]!;
}

function row(name: string, t: Timing): BenchRow {
  return { name, events: t.events, ms: Math.round(t.ms), eventsPerSec: Math.round((t.events / t.ms) * 1000) };
}

export async function runOutboxBench(options: OutboxBenchOptions = {}): Promise<OutboxBenchResult> {
  const count = options.events ?? 10_000;
  const partitions = options.partitions ?? 3;
  const rounds = options.rounds ?? 3;
  const ownBus = options.busUrl ? undefined : await startBus();
  const bus = options.busUrl ?? ownBus!.url;
  const page = await servePage();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(page.url);
    await tab.waitForFunction(() => (globalThis as unknown as { outboxBench?: unknown }).outboxBench !== undefined);
    const events = makeEvents(count);
    const run = <T>(method: string, ...args: unknown[]) =>
      tab.evaluate(
        ([m, a]) => (globalThis as unknown as { outboxBench: Record<string, (...x: unknown[]) => Promise<T>> }).outboxBench[m as string]!(...(a as unknown[])),
        [method, args] as const,
      ) as Promise<T>;
    const settle = () => new Promise((r) => setTimeout(r, 1_000));
    const appends: Timing[] = [];
    const drains: Timing[] = [];
    const nodes: Timing[] = [];
    for (let round = 0; round < rounds; round++) {
      const topic = `bench-outbox-${Date.now()}-${round}`;
      await createTopic(bus, topic, partitions);
      // A client made at page load (online), a recording offline, then back online.
      await run("edgelogSetup", bus, topic, partitions);
      await context.setOffline(true);
      appends.push(await run<Timing>("edgelogAppend", topic, events));
      await settle();
      await context.setOffline(false);
      drains.push(await run<Timing>("edgelogDrain"));
      await settle();
      const nodeTopic = `bench-node-${Date.now()}-${round}`;
      await createTopic(bus, nodeTopic, partitions);
      nodes.push(await nodeBaseline(bus, nodeTopic, partitions, events));
    }
    // Each alone: thousands of transactions keep the browser's storage busy for a while after.
    const baseline = events.slice(0, options.baselineEvents ?? count);
    const workbox = await run<Timing>("workboxAppend", bus, `bench-wb-${Date.now()}`, baseline);
    await settle();
    const perEvent = await run<Timing>("idbPerEvent", baseline);
    const append = median(appends);
    const drain = median(drains);
    const node = median(nodes);

    const rows = [
      row(`append: edgelog send() (median of ${rounds})`, append),
      row("append: workbox Queue.pushRequest", workbox),
      row("append: one IndexedDB transaction per event", perEvent),
      row(`drain: edgelog outbox → bus (median of ${rounds})`, drain),
      row(`drain: same batches posted from Node (median of ${rounds})`, node),
    ];
    return {
      rows,
      appendVsWorkbox: rows[0]!.eventsPerSec / rows[1]!.eventsPerSec,
      drainVsNode: rows[3]!.eventsPerSec / rows[4]!.eventsPerSec,
    };
  } finally {
    await browser.close();
    page.server.close();
    await ownBus?.stop();
  }
}

if (import.meta.main) {
  const result = await runOutboxBench();
  console.table(result.rows);
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  console.log(`append vs workbox: ${result.appendVsWorkbox.toFixed(1)}× (target ≥ 10×) ${verdict(result.appendVsWorkbox >= 10)}`);
  console.log(`drain vs Node:     ${result.drainVsNode.toFixed(2)}× (target ≥ 0.5×) ${verdict(result.drainVsNode >= 0.5)}`);
}
