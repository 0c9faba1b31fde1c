import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../../worker/durable/partition-leader/rpc.ts";

let n = 0;
const leader = () => env.PARTITION_LEADER.getByName(`leader-test-${n++}`);
const bodies = (...values: string[]) => values.map((v) => `"key":null,"value":${JSON.stringify(v)},"headers":{}`);

async function readAll(stub: ReturnType<typeof leader>, maxRecords = 10_000) {
  const r = await stub.read({ from: "earliest", maxRecords, maxBytes: 8 << 20, waitMs: 0 });
  if (!r.ok) throw new Error(r.error.message);
  return { ...r, records: JSON.parse(`[${r.records}]`) as { offset: number; value: string; timestamp: number }[] };
}

describe("PartitionLeader append", () => {
  it("assigns contiguous offsets from 0 in arrival order under concurrent produce", async () => {
    const stub = leader();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => stub.append({ bodies: bodies(`a${i}`, `b${i}`, `c${i}`) })),
    );
    const bases = results.map((r) => (r.ok ? r.baseOffset : -1)).sort((a, b) => a - b);
    expect(bases).toEqual(Array.from({ length: 40 }, (_, i) => i * 3));
    const { records, highWatermark } = await readAll(stub);
    expect(highWatermark).toBe(120);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    // Each batch's records sit together, at the offsets its append returned.
    for (const r of results) {
      if (!r.ok) throw new Error("append failed");
      const batch = records.slice(r.baseOffset, r.baseOffset + 3).map((x) => x.value[0]);
      expect(batch).toEqual(["a", "b", "c"]);
    }
  });

  it("answers a duplicate with the original offsets and writes nothing", async () => {
    const stub = leader();
    const producer = { producerId: "p1", epoch: 0, seq: 0 };
    const first = await stub.append({ bodies: bodies("x", "y"), producer });
    await stub.append({ bodies: bodies("z"), producer: { ...producer, seq: 1 } });
    const again = await stub.append({ bodies: bodies("x", "y"), producer });
    const againLast = await stub.append({ bodies: bodies("z"), producer: { ...producer, seq: 1 } });
    expect(first).toEqual({ ok: true, baseOffset: 0, count: 2, duplicate: false });
    expect(again).toEqual({ ok: true, baseOffset: 0, count: 2, duplicate: true });
    expect(againLast).toEqual({ ok: true, baseOffset: 2, count: 1, duplicate: true });
    expect((await readAll(stub)).records.map((r) => r.value)).toEqual(["x", "y", "z"]);
  });

  it("refuses a sequence gap with the expected seq and writes nothing", async () => {
    const stub = leader();
    await stub.append({ bodies: bodies("a"), producer: { producerId: "p", epoch: 3, seq: 0 } });
    const gap = await stub.append({ bodies: bodies("b"), producer: { producerId: "p", epoch: 3, seq: 2 } });
    expect(gap).toMatchObject({ ok: false, error: { code: "OUT_OF_ORDER_SEQUENCE", expectedSeq: 1, receivedSeq: 2, retriable: false } });
    const fresh = await stub.append({ bodies: bodies("c"), producer: { producerId: "new", epoch: 0, seq: 5 } });
    expect(fresh).toMatchObject({ ok: false, error: { code: "OUT_OF_ORDER_SEQUENCE", expectedSeq: 0 } });
    expect((await readAll(stub)).records.map((r) => r.value)).toEqual(["a"]);
  });

  it("fences a stale epoch and lets a new epoch start at seq 0 only", async () => {
    const stub = leader();
    await stub.append({ bodies: bodies("e1"), producer: { producerId: "p", epoch: 1, seq: 0 } });
    const badBump = await stub.append({ bodies: bodies("x"), producer: { producerId: "p", epoch: 2, seq: 1 } });
    expect(badBump).toMatchObject({ ok: false, error: { code: "OUT_OF_ORDER_SEQUENCE", expectedSeq: 0 } });
    const bump = await stub.append({ bodies: bodies("e2"), producer: { producerId: "p", epoch: 2, seq: 0 } });
    expect(bump).toMatchObject({ ok: true, baseOffset: 1 });
    const stale = await stub.append({ bodies: bodies("old"), producer: { producerId: "p", epoch: 1, seq: 1 } });
    expect(stale).toMatchObject({ ok: false, error: { code: "PRODUCER_FENCED", currentEpoch: 2 } });
    expect((await readAll(stub)).records.map((r) => r.value)).toEqual(["e1", "e2"]);
  });

  it("keeps producers independent of each other", async () => {
    const stub = leader();
    await stub.append({ bodies: bodies("a0"), producer: { producerId: "a", epoch: 0, seq: 0 } });
    await stub.append({ bodies: bodies("b0"), producer: { producerId: "b", epoch: 0, seq: 0 } });
    await stub.append({ bodies: bodies("a1"), producer: { producerId: "a", epoch: 0, seq: 1 } });
    expect((await readAll(stub)).records.map((r) => r.value)).toEqual(["a0", "b0", "a1"]);
  });

  it("refuses an empty batch and an oversized one", async () => {
    const stub = leader();
    expect(await stub.append({ bodies: [] })).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    const huge: AppendRequest = { bodies: [`"key":null,"value":"${"x".repeat(1_600_000)}","headers":{}`] };
    expect(await stub.append(huge)).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(await stub.stats()).toMatchObject({ highWatermark: 0, records: 0 });
  });
});

describe("PartitionLeader read", () => {
  async function filled() {
    const stub = leader();
    // batches of 3, 1, 4 and 2 records: offsets 0-2, 3, 4-7, 8-9
    for (const size of [3, 1, 4, 2]) {
      const base = (await stub.stats()) as { highWatermark: number };
      await stub.append({ bodies: bodies(...Array.from({ length: size }, (_, i) => `v${base.highWatermark + i}`)) });
    }
    return stub;
  }

  it("slices across batches from any offset", async () => {
    const stub = await filled();
    for (let from = 0; from <= 10; from++) {
      const r = await stub.read({ from, maxRecords: 100, maxBytes: 1 << 20, waitMs: 0 });
      if (!r.ok) throw new Error(r.error.message);
      const values = JSON.parse(`[${r.records}]`).map((x: { value: string }) => x.value);
      expect(values).toEqual(Array.from({ length: 10 - from }, (_, i) => `v${from + i}`));
      expect(r.nextOffset).toBe(10);
    }
  });

  it("reads the same slices from SQLite (after a restart) as from the in-memory tail", async () => {
    const stub = await filled();
    const slices = async () => {
      const out: unknown[] = [];
      for (let from = 0; from <= 10; from++) {
        for (const maxRecords of [1, 3, 100]) out.push(await stub.read({ from, maxRecords, maxBytes: 1 << 20, waitMs: 0 }));
      }
      return out;
    };
    const fromMemory = await slices();
    await evictDurableObject(stub);
    expect(await slices()).toEqual(fromMemory);
  });

  it("stops at maxRecords mid-batch and continues from nextOffset", async () => {
    const stub = await filled();
    const seen: string[] = [];
    let from = 0;
    for (let guard = 0; from < 10 && guard < 20; guard++) {
      const r = await stub.read({ from, maxRecords: 3, maxBytes: 1 << 20, waitMs: 0 });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.count).toBeLessThanOrEqual(3);
      seen.push(...JSON.parse(`[${r.records}]`).map((x: { value: string }) => x.value));
      from = r.nextOffset;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it("respects maxBytes but always returns at least one record", async () => {
    const stub = await filled();
    const one = await stub.read({ from: 4, maxRecords: 100, maxBytes: 1, waitMs: 0 });
    expect(one).toMatchObject({ ok: true, count: 1, nextOffset: 5 });
    const some = await stub.read({ from: 0, maxRecords: 100, maxBytes: 200, waitMs: 0 });
    if (!some.ok) throw new Error(some.error.message);
    expect(some.count).toBeGreaterThan(1);
    expect(some.count).toBeLessThan(10);
    expect(some.records.length).toBeLessThanOrEqual(200 + 100);
  });

  it("resolves earliest and latest, and refuses offsets past the high watermark", async () => {
    const stub = await filled();
    expect(await stub.read({ from: "latest", maxRecords: 10, maxBytes: 1000, waitMs: 0 })).toMatchObject({ ok: true, count: 0, nextOffset: 10 });
    expect(await stub.read({ from: "earliest", maxRecords: 1, maxBytes: 1000, waitMs: 0 })).toMatchObject({ ok: true, count: 1, nextOffset: 1 });
    expect(await stub.read({ from: 11, maxRecords: 1, maxBytes: 1000, waitMs: 0 })).toMatchObject({
      ok: false,
      error: { code: "OFFSET_OUT_OF_RANGE", logStartOffset: 0, highWatermark: 10 },
    });
  });

  it("seeks by timestamp to the first record at or after it", async () => {
    const stub = leader();
    const ts = [1000, 2000, 2000, 1500, 3000, 4000];
    // Out-of-order create times (1500 after 2000) are allowed, as in Kafka.
    await stub.append({ bodies: bodies("a", "b"), timestamps: [ts[0]!, ts[1]!] });
    await stub.append({ bodies: bodies("c", "d"), timestamps: [ts[2]!, ts[3]!] });
    await stub.append({ bodies: bodies("e", "f"), timestamps: [ts[4]!, ts[5]!] });
    const at = async (timestamp: number) => {
      const r = await stub.read({ from: { timestamp }, maxRecords: 1, maxBytes: 1000, waitMs: 0 });
      if (!r.ok) throw new Error(r.error.message);
      return r.count ? JSON.parse(`[${r.records}]`)[0].offset : r.nextOffset;
    };
    expect(await at(0)).toBe(0);
    expect(await at(1000)).toBe(0);
    expect(await at(1001)).toBe(1);
    expect(await at(2000)).toBe(1);
    expect(await at(2500)).toBe(4);
    expect(await at(4000)).toBe(5);
    expect(await at(9999)).toBe(6); // past the end: the high watermark
  });

  it("long-poll returns as soon as a record is appended", async () => {
    const stub = leader();
    await stub.append({ bodies: bodies("old") });
    const started = Date.now();
    const pending = stub.read({ from: "latest", maxRecords: 10, maxBytes: 1000, waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    await stub.append({ bodies: bodies("new") });
    const r = await pending;
    if (!r.ok) throw new Error(r.error.message);
    expect(JSON.parse(`[${r.records}]`).map((x: { value: string }) => x.value)).toEqual(["new"]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("long-poll times out empty when nothing arrives", async () => {
    const stub = leader();
    const started = Date.now();
    const r = await stub.read({ from: 0, maxRecords: 10, maxBytes: 1000, waitMs: 200 });
    expect(r).toMatchObject({ ok: true, count: 0, nextOffset: 0, highWatermark: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe("PartitionLeader drop", () => {
  it("refuses appends and reads once its topic is deleted", async () => {
    const stub = leader();
    await stub.append({ bodies: bodies("a") });
    await stub.drop();
    expect(await stub.append({ bodies: bodies("b") })).toMatchObject({ ok: false, error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });
    expect(await stub.read({ from: 0, maxRecords: 1, maxBytes: 1, waitMs: 0 })).toMatchObject({ ok: false });
  });
});
