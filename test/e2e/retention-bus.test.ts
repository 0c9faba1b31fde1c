/**
 * @module
 * Retention, compaction and cold segments on the real local bus (the engine
 * `npm start` runs), black-box over HTTP: the leaders' own alarms delete,
 * compact and move segments to R2 while the test only watches; a consumer
 * whose position fell below the log start moves on from `earliest`; a
 * SIGKILL in the middle of compaction and offload loses nothing.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/index.ts";
import type { ConsumedRecord, FetchResponse, ProduceResponse, TopicDescription } from "../../src/protocol/types.ts";
import { call, createTopic, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

/** Small segments and immediate cold storage, so a few requests exercise everything. */
const VARS = { EDGELOG_SEGMENT_BYTES: "8192", EDGELOG_COLD_SEGMENT_AGE_MS: "0" };
const stateDir = mkdtempSync(join(tmpdir(), "edgelog-retention-"));
let bus: Bus;

beforeAll(async () => {
  bus = await startBus({ engine: "local", stateDir, vars: VARS });
});

afterAll(async () => {
  await bus?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function describeTopic(topic: string): Promise<TopicDescription> {
  const res = await call<TopicDescription>(bus.url, "GET", `/v1/topics/${topic}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Polls describe until `done` holds for partition 0 (the leaders' alarms do the work). */
async function until(topic: string, done: (p: TopicDescription["partitions"][number]) => boolean, ms = 20_000): Promise<TopicDescription["partitions"][number]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const p = (await describeTopic(topic)).partitions[0]!;
    if (done(p)) return p;
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting; partition 0 is ${JSON.stringify(p)}\n--- bus output (tail) ---\n${bus.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function produce(topic: string, records: unknown[]): Promise<number> {
  const res = await call<ProduceResponse>(bus.url, "POST", `/v1/topics/${topic}/partitions/0/records`, { records });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.offsets[0]!.offset;
}

async function readPartition(topic: string): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  let offset: number | string = "earliest";
  for (;;) {
    const res: { status: number; body: FetchResponse } = await call<FetchResponse>(
      bus.url,
      "GET",
      `/v1/topics/${topic}/partitions/0/records?offset=${offset}&maxRecords=700&maxBytes=100000`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.records);
    if (res.body.nextOffset >= res.body.highWatermark) return out;
    offset = res.body.nextOffset;
  }
}

const pad = (n: number, size: number) => `${n}:`.padEnd(size, "~");

describe("retention on the bus", () => {
  it("deletes expired segments by itself; fetches below the start answer 416; earliest moves on", async () => {
    const topic = uniqueTopic("ret-time");
    await createTopic(bus.url, topic, { retentionMs: 1_000 });
    const old = Date.now() - 3_600_000;
    for (let i = 0; i < 12; i++) {
      await produce(topic, Array.from({ length: 10 }, (_, j) => ({ value: pad(i * 10 + j, 300), timestamp: old })));
    }
    // Closed segments go at once; the open one once it has been open for retentionMs.
    const p = await until(topic, (x) => x.logStartOffset === 120);
    expect(p).toMatchObject({ highWatermark: 120, records: 0, bytes: 0, segments: 0 });
    const below = await call<{ error: { code: string; logStartOffset: number } }>(bus.url, "GET", `/v1/topics/${topic}/partitions/0/records?offset=5`);
    expect(below.status).toBe(416);
    expect(below.body.error).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", logStartOffset: 120 });
    const earliest = await call<FetchResponse>(bus.url, "GET", `/v1/topics/${topic}/partitions/0/records?offset=earliest`);
    expect(earliest.body).toMatchObject({ records: [], nextOffset: 120, logStartOffset: 120 });
  });

  it("keeps retentionBytes, deleting the oldest segments", async () => {
    const topic = uniqueTopic("ret-size");
    await createTopic(bus.url, topic, { retentionBytes: 20_000 });
    for (let i = 0; i < 20; i++) await produce(topic, Array.from({ length: 10 }, (_, j) => ({ value: pad(i * 10 + j, 300) })));
    const p = await until(topic, (x) => x.logStartOffset > 0 && x.bytes < 20_000 + 9_000);
    expect(p.bytes).toBeGreaterThanOrEqual(20_000);
    const records = await readPartition(topic);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 200 - p.logStartOffset }, (_, i) => p.logStartOffset + i));
  });

  it("DeleteRecords: consumers whose position is below the start restart from earliest", async () => {
    const topic = uniqueTopic("ret-consumer");
    await createTopic(bus.url, topic, { retentionMs: -1 });
    await produce(topic, Array.from({ length: 30 }, (_, i) => ({ value: i })));
    const deleted = await call(bus.url, "DELETE", `/v1/topics/${topic}/partitions/0/records?before=20`);
    expect(deleted).toEqual({ status: 200, body: { logStartOffset: 20 } });
    const client = createClient({ url: bus.url, outbox: "memory" });
    try {
      for (const transport of ["long-poll", "sse"] as const) {
        const seen: number[] = [];
        for await (const r of client.consumer({ topic, from: 3, persist: false, transport, waitMs: 200 })) {
          seen.push(r.offset);
          if (r.offset === 29) break;
        }
        expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
      }
    } finally {
      await client.close();
    }
  });
});

describe("compaction on the bus", () => {
  it("leaves the latest record per key at its offset, and drops tombstones after deleteRetentionMs", async () => {
    const topic = uniqueTopic("compact");
    await createTopic(bus.url, topic, { cleanupPolicy: "compact", deleteRetentionMs: 0 });
    const produced = new Map<number, { key: string; value: unknown }>();
    const latest = new Map<string, number>();
    for (let round = 0; round < 15; round++) {
      const records = Array.from({ length: 10 }, (_, k) => ({ key: `k${k}`, value: round === 14 && k < 3 ? null : pad(round * 10 + k, 250) }));
      const base = await produce(topic, records);
      records.forEach((r, i) => {
        produced.set(base + i, r);
        latest.set(r.key, base + i);
      });
    }
    // One more batch closes the segment holding the tombstones.
    const closing = Array.from({ length: 30 }, (_, i) => ({ key: `z${i}`, value: pad(i, 300) }));
    const base = await produce(topic, closing);
    closing.forEach((r, i) => produced.set(base + i, r));
    await until(topic, (p) => p.records <= 7 + 30);
    const records = await readPartition(topic);
    for (const r of records) expect({ key: r.key, value: r.value }).toEqual(produced.get(r.offset));
    expect(records.filter((r) => r.key!.startsWith("k")).map((r) => r.offset)).toEqual(
      [...latest.entries()].filter(([k]) => !["k0", "k1", "k2"].includes(k)).map(([, o]) => o).sort((a, b) => a - b),
    );
  });
});

describe("cold segments on the bus", () => {
  it("serves offsets moved to R2 exactly as they were written", async () => {
    const topic = uniqueTopic("cold");
    await createTopic(bus.url, topic, { retentionMs: -1 });
    const values: string[] = [];
    for (let i = 0; i < 15; i++) {
      const batch = Array.from({ length: 8 }, (_, j) => pad(i * 8 + j, 400) + "é");
      values.push(...batch);
      await produce(topic, batch.map((value) => ({ key: `user-${values.length % 5}`, value, headers: { n: String(i) } })));
    }
    const p = await until(topic, (x) => x.bytesInR2 > 0 && x.bytesInSqlite < 10_000);
    expect(p).toMatchObject({ logStartOffset: 0, highWatermark: 120, records: 120 });
    const records = await readPartition(topic);
    expect(records.map((r) => r.value)).toEqual(values);
    expect(records.map((r) => r.offset)).toEqual(values.map((_, i) => i));
    // A timestamp seek into cold storage.
    const at = await call<FetchResponse>(bus.url, "GET", `/v1/topics/${topic}/partitions/0/records?timestamp=${records[37]!.timestamp}&maxRecords=1`);
    expect(at.body.records[0]!.offset).toBeLessThanOrEqual(37);
    expect(at.body.records[0]!.timestamp).toBe(records[37]!.timestamp);
  });
});

describe("a crash during housekeeping", () => {
  it("loses nothing when the bus is killed while it compacts and moves segments, and finishes after a restart", { timeout: 120_000 }, async () => {
    const plain = uniqueTopic("crash-cold");
    const compacted = uniqueTopic("crash-compact");
    await createTopic(bus.url, plain, { retentionMs: -1 });
    await createTopic(bus.url, compacted, { cleanupPolicy: "compact" });
    const latest = new Map<string, string>();
    const values: string[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => pad(i * 10 + j, 300));
      values.push(...batch);
      await produce(plain, batch.map((value) => ({ value })));
      await produce(compacted, batch.map((value, j) => ({ key: `k${(i + j) % 13}`, value })));
      batch.forEach((value, j) => latest.set(`k${(i + j) % 13}`, value));
    }
    // Housekeeping is under way now (segments closed with every request): kill it.
    await bus.kill();
    bus = await startBus({ engine: "local", stateDir, vars: VARS });
    expect((await readPartition(plain)).map((r) => r.value)).toEqual(values);
    const survivors = await readPartition(compacted);
    const byKey = new Map(survivors.map((r) => [r.key!, r.value]));
    expect(byKey).toEqual(latest);
    // Housekeeping resumes by itself and still loses nothing.
    await until(plain, (p) => p.bytesInSqlite < 10_000);
    await until(compacted, (p) => p.records < 13 + 30);
    expect((await readPartition(plain)).map((r) => r.value)).toEqual(values);
    expect(new Map((await readPartition(compacted)).map((r) => [r.key!, r.value]))).toEqual(latest);
  });
});
