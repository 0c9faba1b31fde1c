import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/protocol/codec.ts";
import { partitionForKey } from "../../src/protocol/partitioner.ts";
import { encodeRecord } from "../../src/client/records.ts";
import { MemoryOutbox } from "../../src/client/outbox/memory.ts";
import type { OutboxLimits, SealInput, TopicMeta } from "../../src/client/outbox/types.ts";
import { SealPlanner } from "../../src/client/sync/plan.ts";
import type { PendingRecord, SealedBatchInfo } from "../../src/client/outbox/types.ts";

const LIMITS: OutboxLimits = { maxRecords: 1_000, maxBytes: 10_000_000, policy: "drop-oldest" };
const ID = { producerId: "p-1", epoch: 3 };

function input(topics: Record<string, TopicMeta>, more: Partial<SealInput> = {}): SealInput {
  return {
    identity: ID,
    topics: new Map(Object.entries(topics)),
    maxBatchRecords: 100,
    maxBatchBytes: 1_000_000,
    maxSealedPerPartition: 1,
    scanLimit: 10_000,
    pickKeyless: (_t, n, free) => [...Array(n).keys()].find(free),
    ...more,
  };
}

function pending(records: { key?: string; value: unknown; partition?: number }[], topic = "t"): PendingRecord[] {
  return records.map((r, i) => ({ ...encodeRecord(topic, r as never, 1), id: i + 1 }));
}

/** A sealed batch occupying `partition` of topic "t". */
function busy(partition: number, seq = 0, epoch = ID.epoch): SealedBatchInfo {
  return { topic: "t", partition, producerId: ID.producerId, epoch, seq, ids: [999], bytes: 1, sealedAt: 0 };
}

function plan(records: PendingRecord[], sealInput: SealInput, sealed: (SealedBatchInfo & { acked?: boolean })[] = [], seq: { topic: string; partition: number; epoch: number; nextSeq: number }[] = []) {
  const planner = new SealPlanner(sealInput, sealed, seq, 0);
  for (const r of records) if (planner.wantsMore) planner.offer(r);
  return planner.finish();
}

describe("SealPlanner", () => {
  it("puts keyed records on the Java client's partition, in order, one batch per partition", () => {
    const keys = ["a", "b", "c", "d", "e", "f"];
    const records = pending(Array.from({ length: 60 }, (_, i) => ({ key: keys[i % 6], value: i })));
    const { batches, sealedIds } = plan(records, input({ t: { partitions: 4, maxMessageBytes: 1e6 } }));
    expect(sealedIds.length).toBe(60);
    expect(new Set(batches.map((b) => b.partition)).size).toBe(batches.length);
    for (const b of batches) {
      const values = (JSON.parse(b.body) as { records: { key: string; value: number }[] }).records;
      for (const v of values) expect(partitionForKey(utf8(v.key), 4)).toBe(b.partition);
      expect(values.map((v) => v.value)).toEqual([...values.map((v) => v.value)].sort((x, y) => x - y));
      expect(b.ids).toEqual([...b.ids].sort((x, y) => x - y));
    }
  });

  it("numbers a batch from the seq state of its epoch, and from 0 in a new epoch", () => {
    const records = pending([{ key: "a", value: 1 }]);
    const p = partitionForKey(utf8("a"), 2);
    const meta = { t: { partitions: 2, maxMessageBytes: 1e6 } };
    expect(plan(records, input(meta), [], [{ topic: "t", partition: p, epoch: 3, nextSeq: 7 }]).batches[0]).toMatchObject({ epoch: 3, seq: 7, producerId: "p-1" });
    expect(plan(records, input(meta), [], [{ topic: "t", partition: p, epoch: 2, nextSeq: 7 }]).batches[0]).toMatchObject({ epoch: 3, seq: 0 });
  });

  it("seals ahead up to maxSealedPerPartition, numbering on from the last sealed batch", () => {
    const records = pending(Array.from({ length: 10 }, (_, i) => ({ key: "same", value: i })));
    const meta = { t: { partitions: 1, maxMessageBytes: 1e6 } };
    const ahead = plan(records, input(meta, { maxBatchRecords: 3, maxSealedPerPartition: 3 }), [busy(0, 4)]);
    expect(ahead.batches.map((b) => [b.seq, b.ids])).toEqual([
      [5, [1, 2, 3]],
      [6, [4, 5, 6]],
    ]);
    expect(ahead.scanFrom).toBe(7);
    // A sealed batch of an older epoch does not number the new epoch's batches.
    const fresh = plan(records, input(meta, { maxBatchRecords: 5, maxSealedPerPartition: 2 }), [busy(0, 9, 1)]);
    expect(fresh.batches.map((b) => [b.epoch, b.seq])).toEqual([[3, 0]]);
  });

  it("regression: records of an acknowledged batch not yet deleted are never sealed again", () => {
    // IndexedDB keeps acknowledged records until a range delete; a scan that
    // starts before them (after a deferred partial batch) must skip them.
    const records = pending(Array.from({ length: 4 }, (_, i) => ({ key: "same", value: i })));
    const acked = { ...busy(0, 0), ids: [1, 2], acked: true };
    const result = plan(records, input({ t: { partitions: 1, maxMessageBytes: 1e6 } }), [acked], [{ topic: "t", partition: 0, epoch: ID.epoch, nextSeq: 1 }]);
    expect(result.batches.map((b) => [b.seq, b.ids])).toEqual([[1, [3, 4]]]);
  });

  it("leaves a busy partition's records pending, and seals the others", () => {
    const records = pending([
      { key: "a", value: 1 },
      { key: "d", value: 2 },
    ]);
    const pa = partitionForKey(utf8("a"), 8);
    const pb = partitionForKey(utf8("d"), 8);
    expect(pa).not.toBe(pb);
    const { batches, sealedIds, scanFrom } = plan(records, input({ t: { partitions: 8, maxMessageBytes: 1e6 } }), [busy(pa)]);
    expect(batches.map((b) => b.partition)).toEqual([pb]);
    expect(sealedIds).toEqual([2]);
    expect(scanFrom, "the next scan starts at the first record left pending").toBe(1);
  });

  it("cuts at the batch limits and never lets a later record overtake", () => {
    const records = pending(Array.from({ length: 10 }, (_, i) => ({ key: "same", value: "x".repeat(i === 3 ? 500 : 10) })));
    const sized = plan(records, input({ t: { partitions: 1, maxMessageBytes: 1e6 } }, { maxBatchBytes: 400 }));
    expect(sized.batches[0]!.ids).toEqual([1, 2, 3]); // record 4 does not fit, so 5..10 wait too
    const counted = plan(records, input({ t: { partitions: 1, maxMessageBytes: 1e6 } }, { maxBatchRecords: 4 }));
    expect(counted.batches[0]!.ids).toEqual([1, 2, 3, 4]);
    expect(counted.sealedIds).toEqual([1, 2, 3, 4]);
    expect(counted.scanFrom).toBe(5);
  });

  it("keeps keyless records of one step on one free partition", () => {
    const records = pending(Array.from({ length: 5 }, (_, i) => ({ value: i })));
    const { batches } = plan(records, input({ t: { partitions: 3, maxMessageBytes: 1e6 } }), [busy(0)]);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.partition).toBe(1);
    expect(batches[0]!.ids).toEqual([1, 2, 3, 4, 5]);
  });

  it("dead-letters, alone, a record the topic would refuse, and reports topics it does not know", () => {
    const records = [
      ...pending([{ key: "k", value: "x".repeat(200) }, { key: "k", value: "ok" }, { value: 1, partition: 9 }]),
      ...pending([{ value: "other" }], "unknown-topic").map((r) => ({ ...r, id: 10 })),
    ];
    const result = plan(records, input({ t: { partitions: 2, maxMessageBytes: 100 } }));
    expect(result.rejected.map((r) => [r.error.code, r.records.map((x) => x.id)])).toEqual([
      ["MESSAGE_TOO_LARGE", [1]],
      ["UNKNOWN_TOPIC_OR_PARTITION", [3]],
    ]);
    expect(result.batches.map((b) => b.ids)).toEqual([[2]]);
    expect(result.unknownTopics).toEqual(["unknown-topic"]);
    expect(result.sealedIds).toEqual([2]);
    expect(result.rejectedIds).toEqual([1, 3]);
    expect(result.scanFrom, "stuck at the record whose topic is not known yet").toBe(10);
  });
});

describe("MemoryOutbox (the store contract the engine relies on)", () => {
  const meta = { t: { partitions: 1, maxMessageBytes: 1e6 } };
  const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => encodeRecord("t", { key: "k", value: from + i }, 1));

  it("assigns increasing ids and bumps the epoch of one identity", async () => {
    const store = new MemoryOutbox("x");
    const first = await store.nextEpoch();
    const second = await store.nextEpoch();
    expect(second).toEqual({ producerId: first.producerId, epoch: first.epoch + 1 });
    expect((await store.nextEpoch(10)).epoch).toBe(10);
    expect((await store.append(records(3), LIMITS)).ids).toEqual([1, 2, 3]);
    expect((await store.append(records(2), LIMITS)).ids).toEqual([4, 5]);
  });

  it("acks: the seq advances and the next batch is sealed in the same step", async () => {
    const store = new MemoryOutbox("x");
    const identity = await store.nextEpoch();
    await store.append(records(5), LIMITS);
    const first = await store.step({ seal: input(meta, { identity, maxBatchRecords: 2 }), now: 1 });
    expect(first.sealed.map((b) => [b.seq, b.ids])).toEqual([[0, [1, 2]]]);
    // Still sealed and unacknowledged: no second batch for the partition.
    expect((await store.step({ seal: input(meta, { identity, maxBatchRecords: 2 }), now: 1 })).sealed).toEqual([]);
    const second = await store.step({ acks: [first.sealed[0]!], seal: input(meta, { identity, maxBatchRecords: 2 }), now: 2 });
    expect(second.sealed.map((b) => [b.seq, b.ids])).toEqual([[1, [3, 4]]]);
    expect(second.counters).toMatchObject({ records: 3, acked: 2 });
    expect(await store.progress(2)).toEqual({ undelivered: false, deadLetters: [] });
    expect((await store.progress(3)).undelivered).toBe(true);
  });

  it("a refused batch becomes a dead letter and its seq goes to the next batch", async () => {
    const store = new MemoryOutbox("x");
    const identity = await store.nextEpoch();
    await store.append(records(4), LIMITS);
    const sealInput = input(meta, { identity, maxBatchRecords: 2 });
    const [batch] = (await store.step({ seal: sealInput, now: 1 })).sealed;
    const error = { code: "INVALID_REQUEST" as const, message: "no", status: 400, retriable: false, details: {} };
    const result = await store.step({ fail: { batch: batch!, error }, seal: sealInput, now: 2 });
    expect(result.sealed.map((b) => [b.seq, b.ids])).toEqual([[0, [3, 4]]]);
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]!.records.map((r) => r.id)).toEqual([1, 2]);
    expect((await store.progress(2)).deadLetters).toHaveLength(1);
    expect(await store.requeueDeadLetters()).toBe(2);
    expect(await store.deadLetters()).toEqual([]);
    expect((await store.counters()).records).toBe(4);
  });

  it("a refusal unseals the partition's later (unsent) batches and seals them again from the freed seq", async () => {
    const store = new MemoryOutbox("x");
    const identity = await store.nextEpoch();
    await store.append(records(6), LIMITS);
    const sealInput = input(meta, { identity, maxBatchRecords: 2, maxSealedPerPartition: 3 });
    const first = await store.step({ seal: sealInput, now: 1 });
    expect(first.sealed.map((b) => [b.seq, b.ids])).toEqual([
      [0, [1, 2]],
      [1, [3, 4]],
      [2, [5, 6]],
    ]);
    const error = { code: "INVALID_REQUEST" as const, message: "no", status: 400, retriable: false, details: {} };
    const result = await store.step({ fail: { batch: first.sealed[0]!, error }, seal: sealInput, now: 2 });
    expect(result.deadLetters[0]!.records.map((r) => r.id)).toEqual([1, 2]);
    expect(result.sealed.map((b) => [b.seq, b.ids])).toEqual([
      [0, [3, 4]],
      [1, [5, 6]],
    ]);
    expect((await store.sealed()).map((b) => [b.seq, JSON.parse(b.body).records.length])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it("a stale answer (another tuple) settles nothing", async () => {
    const store = new MemoryOutbox("x");
    const identity = await store.nextEpoch();
    await store.append(records(1), LIMITS);
    const [batch] = (await store.step({ seal: input(meta, { identity }), now: 1 })).sealed;
    const result = await store.step({ acks: [{ ...batch!, seq: 99 }], now: 2 });
    expect(result.counters.acked).toBe(0);
    expect(await store.sealed()).toHaveLength(1);
  });

  it("drop-oldest evicts the oldest pending records, never sealed ones, and counts them", async () => {
    const store = new MemoryOutbox("x");
    const identity = await store.nextEpoch();
    const limits: OutboxLimits = { maxRecords: 5, maxBytes: 1e9, policy: "drop-oldest" };
    await store.append(records(2), limits);
    await store.step({ seal: input(meta, { identity }), now: 1 }); // ids 1, 2 sealed
    await store.append(records(3, 2), limits); // ids 3..5
    const result = await store.append(records(2, 5), limits);
    expect(result.evicted).toEqual({ count: 2, firstId: 3, lastId: 4 });
    expect(result.counters).toMatchObject({ records: 5, dropped: 2 });
    expect(await store.sealed()).toHaveLength(1);
    await expect(store.append(records(4, 7), limits)).rejects.toMatchObject({ code: "OUTBOX_FULL" });
  });

  it("reject refuses what does not fit and stores nothing", async () => {
    const store = new MemoryOutbox("x");
    const limits: OutboxLimits = { maxRecords: 3, maxBytes: 1e9, policy: "reject" };
    await store.append(records(2), limits);
    await expect(store.append(records(2), limits)).rejects.toMatchObject({ code: "OUTBOX_FULL" });
    expect(await store.counters()).toMatchObject({ records: 2, dropped: 0, lastId: 2 });
  });
});
