/**
 * Log compaction inside the partition leader: exactly the latest record per
 * key survives, across many rounds of appends and alarms, at its original
 * offset; tombstones go after their delete-retention time; reads walk the
 * gaps compaction leaves; a restart in the middle of compaction (and of a
 * switch from `delete` to `compact`) loses nothing.
 */

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { fireAlarms as fireAlarmRounds, stats, testLeader, type Stub } from "./leader-support.ts";
import { describe, expect, it } from "vitest";
import type { PartitionLeader } from "../../worker/durable/partition-leader/index.ts";
import type { LeaderConfig } from "../../worker/durable/partition-leader/leader-config.ts";

type Stored = { offset: number; timestamp: number; key: string | null; value: unknown };

// Every batch closes the segment before it: only the newest batch stays uncompacted.
const leader = (over: Partial<LeaderConfig> = {}) => testLeader("compaction", { cleanupPolicy: "compact", segmentBytes: 1, ...over });

const body = (key: string | null, value: unknown) => `"key":${JSON.stringify(key)},"value":${JSON.stringify(value)},"headers":{}`;

async function readAll(stub: Stub, maxRecords = 10_000): Promise<Stored[]> {
  const out: Stored[] = [];
  let from: number | "earliest" = "earliest";
  for (let guard = 0; guard < 100_000; guard++) {
    const r = await stub.read({ from, maxRecords, maxBytes: 8 << 20, waitMs: 0 });
    if (!r.ok) throw new Error(r.error.message);
    out.push(...(JSON.parse(`[${r.records}]`) as Stored[]));
    if (r.nextOffset >= r.highWatermark) return out;
    from = r.nextOffset;
  }
  throw new Error("read did not reach the high watermark");
}

const fireAlarms = (stub: Stub, rounds = 60) => fireAlarmRounds(stub, rounds);

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

/** What was appended, and the latest offset of each key. */
class Model {
  readonly appended = new Map<number, { key: string; value: unknown }>();
  readonly latest = new Map<string, number>();
  lastBatch = new Set<number>();

  async append(stub: Stub, records: { key: string; value: unknown }[]): Promise<void> {
    const r = await stub.append({ bodies: records.map((x) => body(x.key, x.value)) });
    if (!r.ok) throw new Error(r.error.message);
    this.lastBatch = new Set();
    records.forEach((x, i) => {
      this.appended.set(r.baseOffset + i, x);
      this.latest.set(x.key, r.baseOffset + i);
      this.lastBatch.add(r.baseOffset + i);
    });
  }

  /** The offsets compaction must leave: the latest of each key, minus expired tombstones outside the open batch. */
  expected(tombstonesGone: boolean): number[] {
    return [...this.latest.values()]
      .filter((o) => !(tombstonesGone && this.appended.get(o)!.value === null && !this.lastBatch.has(o)))
      .sort((a, b) => a - b);
  }

  /** Every record read back is the one appended at its offset. */
  check(records: Stored[]): void {
    for (const r of records) {
      expect({ key: r.key, value: r.value }, `offset ${r.offset}`).toEqual(this.appended.get(r.offset));
    }
  }
}

describe("compaction", () => {
  it("keeps exactly the latest record per key across many rounds, at its original offset", async () => {
    const { stub, config } = leader();
    await stub.configure(config);
    const model = new Model();
    const next = random(7);
    let serial = 0;
    for (let round = 0; round < 25; round++) {
      for (let b = 0; b < 3; b++) {
        const keys = new Set(Array.from({ length: 1 + Math.floor(next() * 4) }, () => `k${Math.floor(next() * 15)}`));
        await model.append(stub, [...keys].map((key) => ({ key, value: next() < 0.15 ? null : { round, serial: serial++ } })));
      }
      await fireAlarms(stub);
      const records = await readAll(stub);
      model.check(records);
      expect(records.map((r) => r.offset)).toEqual(model.expected(false));
    }
    // The same after a restart (SQLite, not the in-memory tail), and one record at a time.
    await evictDurableObject(stub);
    const oneByOne = await readAll(stub, 1);
    model.check(oneByOne);
    expect(oneByOne.map((r) => r.offset)).toEqual(model.expected(false));
    const s = await stats(stub);
    expect(s.records).toBe(model.expected(false).length);
    expect(s.highWatermark).toBe(Math.max(...model.appended.keys()) + 1);
    expect(s.logStartOffset).toBe(0);
  });

  it("removes tombstones once their segment has been closed for deleteRetentionMs, and their keys with them", async () => {
    const { stub, config } = leader({ deleteRetentionMs: 0 });
    await stub.configure(config);
    const model = new Model();
    await model.append(stub, [{ key: "a", value: 1 }, { key: "b", value: 1 }, { key: "c", value: 1 }]);
    await model.append(stub, [{ key: "a", value: null }, { key: "b", value: 2 }]);
    await model.append(stub, [{ key: "c", value: null }]);
    await model.append(stub, [{ key: "d", value: 1 }]);
    await fireAlarms(stub);
    const records = await readAll(stub);
    model.check(records);
    // a's and c's tombstones are gone with every older record of them; b's latest and d stay.
    expect(records.map((r) => [r.key, r.value])).toEqual([["b", 2], ["d", 1]]);
    // A deleted key can come back.
    await model.append(stub, [{ key: "a", value: 3 }]);
    await model.append(stub, [{ key: "e", value: 1 }]);
    await fireAlarms(stub);
    expect((await readAll(stub)).map((r) => [r.key, r.value])).toEqual([["b", 2], ["d", 1], ["a", 3], ["e", 1]]);
  });

  it("keeps a tombstone while its delete-retention time lasts", async () => {
    const { stub, config } = leader();
    await stub.configure(config);
    const model = new Model();
    await model.append(stub, [{ key: "a", value: 1 }]);
    await model.append(stub, [{ key: "a", value: null }]);
    await model.append(stub, [{ key: "b", value: 1 }]);
    await fireAlarms(stub);
    expect((await readAll(stub)).map((r) => [r.offset, r.key, r.value])).toEqual([[1, "a", null], [2, "b", 1]]);
  });

  it("refuses a record without a key and writes nothing", async () => {
    const { stub, config } = leader();
    await stub.configure(config);
    const r = await stub.append({ bodies: [body("a", 1), body(null, 2)] });
    expect(r).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect(await stats(stub)).toMatchObject({ highWatermark: 0, records: 0 });
  });

  it("treats a text key and a base64 key with the same bytes as one key", async () => {
    const { stub, config } = leader();
    await stub.configure(config);
    await stub.append({ bodies: [body("é", 1)] });
    await stub.append({ bodies: [`"keyBase64":"w6k=","value":2,"headers":{}`] });
    await stub.append({ bodies: [`"keyBase64":"/w==","value":3,"headers":{}`] });
    await stub.append({ bodies: [body("z", 4)] });
    await fireAlarms(stub);
    expect((await readAll(stub)).map((r) => r.offset)).toEqual([1, 2, 3]);
  });

  it("reads across the gaps it leaves: any offset, maxRecords, timestamps", async () => {
    const { stub, config } = leader({ segmentBytes: 300 });
    await stub.configure(config);
    for (let i = 0; i < 60; i++) {
      const r = await stub.append({ bodies: [body(`k${i % 6}`, i), body(`x${i}`, i)], timestamps: [10_000 + i, 10_000 + i] });
      if (!r.ok) throw new Error(r.error.message);
    }
    await fireAlarms(stub);
    const all = await readAll(stub);
    const offsets = all.map((r) => r.offset);
    expect(offsets.length).toBeLessThan(120);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    // From every offset, a read starts at the first record at or after it.
    for (let from = 0; from < 120; from++) {
      const r = await stub.read({ from, maxRecords: 2, maxBytes: 1 << 20, waitMs: 0 });
      if (!r.ok) throw new Error(r.error.message);
      const got = (JSON.parse(`[${r.records}]`) as Stored[]).map((x) => x.offset);
      expect(got).toEqual(offsets.filter((o) => o >= from).slice(0, 2));
    }
    // A timestamp seek lands on the first surviving record at or after it.
    for (const ts of [10_000, 10_003, 10_030, 10_059]) {
      const r = await stub.position({ timestamp: ts });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.offset).toBe(all.find((x) => x.timestamp >= ts)!.offset);
    }
  });
});

describe("compaction and restarts", () => {
  it("loses nothing when the object restarts in the middle of building the index and compacting", async () => {
    const { stub, config } = leader({ cleanupPolicy: "delete", segmentBytes: 400 });
    await stub.configure(config);
    const model = new Model();
    for (let i = 0; i < 40; i++) {
      await model.append(stub, [0, 1, 2].map((j) => ({ key: `k${(i * 3 + j) % 7}`, value: i * 3 + j })));
    }
    const segments = (await stats(stub)).segments;
    expect(segments).toBeGreaterThan(10);
    // The topic becomes compacted: each round indexes what is new and compacts two segments.
    await runInDurableObject(stub, async (instance: PartitionLeader, state) => {
      instance.configure({ ...config, cleanupPolicy: "compact" });
      await instance.alarm();
      await instance.alarm();
      await state.storage.deleteAlarm();
    });
    await evictDurableObject(stub);
    const middle = await readAll(stub);
    model.check(middle);
    // Four segments are compacted, the others not yet: nothing latest is missing.
    expect(middle.length).toBeGreaterThan(7);
    expect(middle.length).toBeLessThan(120);
    for (const o of model.latest.values()) expect(middle.map((r) => r.offset)).toContain(o);
    // The next append, larger than a segment, closes the open segment; the alarm indexes it and compacts the rest.
    await model.append(stub, [0, 1, 2].map((j) => ({ key: `k${j}`, value: `last ${j} ${"x".repeat(150)}` })));
    await fireAlarms(stub);
    const done = await readAll(stub);
    model.check(done);
    // The previous batch was in the open segment, which closed and is compacted now.
    expect(done.map((r) => r.offset)).toEqual(model.expected(false));
  });

  it("indexes the keys a topic already stores when it becomes compacted, then compacts it", async () => {
    const { stub, config } = leader({ cleanupPolicy: "delete", segmentBytes: 2_000 });
    await stub.configure(config);
    const model = new Model();
    for (let i = 0; i < 700; i++) await model.append(stub, [{ key: `k${i % 11}`, value: i }]);
    await stub.configure({ ...config, cleanupPolicy: "compact" });
    await fireAlarms(stub, 100);
    const records = await readAll(stub);
    model.check(records);
    // Everything but the open segment is compacted; the open one holds only the newest records.
    const closedEnd = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec<{ b: number }>("SELECT base_offset AS b FROM segments WHERE state = 'open'").one().b,
    );
    const latest = new Set(model.latest.values());
    expect(records.filter((r) => r.offset < closedEnd).map((r) => r.offset)).toEqual([...latest].filter((o) => o < closedEnd).sort((a, b) => a - b));
  });
});
