/**
 * Retention inside the partition leader: time and size limits enforced by
 * alarms the test fires, DeleteRecords, reads below the log start, alarms
 * that run twice, producer state expiry and the upgrade of a log stored
 * before segments existed.
 */

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { fireAlarms as fireAlarmRounds, stats, testLeader, type Stub } from "./leader-support.ts";
import { beforeAll, describe, expect, it } from "vitest";
import type { PartitionLeader } from "../../worker/durable/partition-leader/index.ts";
import type { LeaderConfig } from "../../worker/durable/partition-leader/leader-config.ts";
import { migrate } from "../../worker/durable/migrations.ts";
import type { PartitionStats } from "../../worker/durable/partition-leader/rpc.ts";
import { LEADER_MIGRATIONS } from "../../worker/durable/partition-leader/schema.ts";

const HOUR = 3_600_000;

/**
 * The stored size of one of fill()'s 3-record batches, measured: the sizes
 * below are in these units, so they hold whatever form the leader stores.
 */
let BATCH = 0;
beforeAll(async () => {
  const probe = testLeader("retention-probe");
  await probe.stub.configure(probe.config);
  await fill(probe.stub, 1, 3);
  BATCH = (await stats(probe.stub)).bytes;
});

/** Two of fill()'s batches fill a segment, a third starts the next. */
const leader = (over: Partial<LeaderConfig> = {}) => testLeader("retention", { segmentBytes: Math.floor(2.5 * BATCH), ...over });

const body = (value: string) => `"key":null,"value":${JSON.stringify(value)},"headers":{}`;

/** Appends `batches` batches of `size` records of about 60 bytes each, timestamped `timestamp`. */
async function fill(stub: Stub, batches: number, size: number, timestamp: number | null = null): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const stats = (await stub.stats()) as PartitionStats;
    const values = Array.from({ length: size }, (_, i) => `v${stats.highWatermark + i}`);
    const r = await stub.append({ bodies: values.map(body), timestamps: values.map(() => timestamp) });
    if (!r.ok) throw new Error(r.error.message);
  }
}

/** Every record from the log start, in order. */
async function readAll(stub: Stub): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = [];
  let from: number | "earliest" = "earliest";
  for (;;) {
    const r = await stub.read({ from, maxRecords: 10_000, maxBytes: 8 << 20, waitMs: 0 });
    if (!r.ok) throw new Error(r.error.message);
    out.push(...(JSON.parse(`[${r.records}]`) as { offset: number; value: string }[]));
    if (r.count === 0 || r.nextOffset >= r.highWatermark) return out;
    from = r.nextOffset;
  }
}

/** Fires the leader's alarm until none is scheduled, at most `rounds` times. */
const fireAlarms = (stub: Stub, rounds = 20) => fireAlarmRounds(stub, rounds);

describe("time retention", () => {
  it("deletes whole closed segments whose newest record is older than retentionMs, and moves the log start", async () => {
    const { stub, config } = leader({ retentionMs: HOUR });
    await stub.configure(config);
    await fill(stub, 12, 3, Date.now() - 2 * HOUR); // old: several closed segments
    await fill(stub, 4, 3); // recent
    // The leader's own alarms may have run already; the test fires any that are due.
    await fireAlarms(stub);
    const after = await stats(stub);
    // Two 3-record batches fill a segment: the six old segments end at 36.
    expect(after.logStartOffset).toBe(36);
    expect(after.segments).toBe(2);
    expect(after.records).toBe(12);
    expect(after.bytes).toBe(after.bytesInSqlite);
    expect(after.bytes).toBeLessThan(5 * BATCH);
    expect(after.highWatermark).toBe(48);
    // Every recent record is still there, and the earliest read starts at the log start.
    const records = await readAll(stub);
    expect(records[0]!.offset).toBe(after.logStartOffset);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 48 - after.logStartOffset }, (_, i) => after.logStartOffset + i));
    // Below the log start: out of range, with the current bounds.
    expect(await stub.read({ from: 0, maxRecords: 10, maxBytes: 1000, waitMs: 0 })).toMatchObject({
      ok: false,
      error: { code: "OFFSET_OUT_OF_RANGE", logStartOffset: after.logStartOffset, highWatermark: 48 },
    });
  });

  it("keeps the open segment until it has been open for retentionMs, then deletes it too", async () => {
    const { stub, config } = leader({ retentionMs: 300, segmentBytes: 1 << 20 });
    await stub.configure(config);
    await fill(stub, 3, 2, 1_000); // 1970: long expired, but just written
    await fireAlarms(stub, 3);
    expect(await stats(stub)).toMatchObject({ logStartOffset: 0, records: 6, segments: 1 });
    await new Promise((r) => setTimeout(r, 350));
    await fireAlarms(stub, 3);
    expect(await stats(stub)).toMatchObject({ logStartOffset: 6, highWatermark: 6, records: 0, bytes: 0, segments: 0 });
    // The partition goes on from where it was.
    const next = await stub.append({ bodies: [body("after")] });
    expect(next).toMatchObject({ ok: true, baseOffset: 6 });
    expect((await readAll(stub)).map((r) => r.value)).toEqual(["after"]);
  });

  it("schedules its own alarm from the oldest segment's expiry, and none without a time limit", async () => {
    const timed = leader({ retentionMs: HOUR });
    await timed.stub.configure(timed.config);
    const ts = Date.now() - 1000;
    await fill(timed.stub, 1, 1, ts);
    const alarm = await runInDurableObject(timed.stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(ts + HOUR);
    expect(alarm).toBeLessThan(Date.now() + 2 * HOUR);

    const forever = leader();
    await forever.stub.configure(forever.config);
    await fill(forever.stub, 5, 3);
    expect(await runInDurableObject(forever.stub, (_, state) => state.storage.getAlarm())).toBeNull();
  });
});

describe("size retention", () => {
  it("deletes the oldest closed segments while the rest still holds retentionBytes", async () => {
    const retentionBytes = 9 * BATCH;
    const { stub, config } = leader({ retentionBytes });
    await stub.configure(config);
    await fill(stub, 30, 3);
    await fireAlarms(stub);
    const s = await stats(stub);
    expect(s.logStartOffset).toBeGreaterThan(0);
    // At least retentionBytes remain, and no more than one segment beyond it.
    expect(s.bytes).toBeGreaterThanOrEqual(retentionBytes);
    expect(s.bytes).toBeLessThan(retentionBytes + config.segmentBytes);
    expect((await readAll(stub))[0]!.offset).toBe(s.logStartOffset);
  });
});

describe("alarms", () => {
  it("run twice, or twice at once, without changing the outcome", async () => {
    const a = leader();
    const b = leader();
    const old = Date.now() - 2 * HOUR;
    for (const { stub, config } of [a, b]) {
      await stub.configure(config);
      await fill(stub, 10, 3, old);
      await fill(stub, 20, 3);
    }
    // Retention arrives with a config change; the alarms run before any other event.
    const limited = { retentionMs: HOUR, retentionBytes: 9 * BATCH }; // less than the 20 recent batches
    await runInDurableObject(a.stub, async (instance: PartitionLeader) => {
      instance.configure({ ...a.config, ...limited });
      await instance.alarm();
      await instance.alarm();
    });
    await runInDurableObject(b.stub, async (instance: PartitionLeader) => {
      instance.configure({ ...b.config, ...limited });
      await Promise.all([instance.alarm(), instance.alarm()]);
    });
    await fireAlarms(a.stub);
    await fireAlarms(b.stub);
    const { bytes: _a, bytesInSqlite: _as, ...statsA } = await stats(a.stub);
    const { bytes: _b, bytesInSqlite: _bs, ...statsB } = await stats(b.stub);
    expect(statsB).toEqual(statsA);
    expect(statsA.logStartOffset).toBeGreaterThan(30);
    expect(_a).toBeGreaterThanOrEqual(9 * BATCH);
    const values = async (stub: Stub) => (await readAll(stub)).map(({ offset, value }) => ({ offset, value }));
    expect(await values(b.stub)).toEqual(await values(a.stub));
  });
});

describe("DeleteRecords", () => {
  it("moves the log start into the middle of a batch and never returns a record below it", async () => {
    const { stub, config } = leader();
    await stub.configure(config);
    await fill(stub, 10, 3); // offsets 0-29, segments of two batches
    const before = await stats(stub);
    expect(await stub.deleteRecords(13)).toEqual({ ok: true, logStartOffset: 13 });
    const after = await stats(stub);
    expect(after.logStartOffset).toBe(13);
    expect(after.segments).toBeLessThan(before.segments);
    // Earliest, an offset in the straddling batch, the tail cache and SQLite all start at 13.
    expect((await readAll(stub)).map((r) => r.offset)).toEqual(Array.from({ length: 17 }, (_, i) => 13 + i));
    await evictDurableObject(stub);
    expect((await readAll(stub)).map((r) => r.offset)[0]).toBe(13);
    for (const from of [0, 12]) {
      expect(await stub.read({ from, maxRecords: 5, maxBytes: 1000, waitMs: 0 })).toMatchObject({
        ok: false,
        error: { code: "OFFSET_OUT_OF_RANGE", logStartOffset: 13, highWatermark: 30 },
      });
    }
    expect(await stub.read({ from: { timestamp: 0 }, maxRecords: 1, maxBytes: 1000, waitMs: 0 })).toMatchObject({ ok: true, nextOffset: 14 });
    // Below the start changes nothing; past the high watermark is refused; latest empties the log.
    expect(await stub.deleteRecords(5)).toEqual({ ok: true, logStartOffset: 13 });
    expect(await stub.deleteRecords(31)).toMatchObject({ ok: false, error: { code: "OFFSET_OUT_OF_RANGE", highWatermark: 30 } });
    expect(await stats(stub)).toMatchObject({ logStartOffset: 13 });
    expect(await stub.deleteRecords("latest")).toEqual({ ok: true, logStartOffset: 30 });
    await fireAlarms(stub);
    expect(await stats(stub)).toMatchObject({ logStartOffset: 30, highWatermark: 30, records: 0, bytes: 0, segments: 0 });
    expect(await stub.append({ bodies: [body("next")] })).toMatchObject({ ok: true, baseOffset: 30 });
  });

  it("is refused for a compacted partition", async () => {
    const { stub, config } = leader({ cleanupPolicy: "compact" });
    await stub.configure(config);
    expect(await stub.deleteRecords(0)).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
  });
});

describe("producer state", () => {
  const producer = (seq: number) => ({ producerId: "p", epoch: 0, seq });

  it("outlives its data for at least the retention time", async () => {
    const { stub, config } = leader({ retentionMs: HOUR });
    await stub.configure(config);
    expect(await stub.append({ bodies: [body("a")], producer: producer(0) })).toMatchObject({ ok: true, baseOffset: 0 });
    await stub.deleteRecords("latest");
    await fireAlarms(stub);
    // The data is gone, the producer is not: a resend is a duplicate (of a deleted batch), the next seq appends.
    expect(await stub.append({ bodies: [body("a")], producer: producer(0) })).toMatchObject({ ok: true, duplicate: true, baseOffset: -1 });
    expect(await stub.append({ bodies: [body("b")], producer: producer(1) })).toMatchObject({ ok: true, duplicate: false, baseOffset: 1 });
  });

  it("expires once its data is deleted and it has been idle for the retention time", async () => {
    const { stub, config } = leader({ retentionMs: 200 });
    await stub.configure(config);
    await stub.append({ bodies: [body("a")], producer: producer(0) });
    await stub.deleteRecords("latest");
    await new Promise((r) => setTimeout(r, 250));
    await fireAlarms(stub);
    // Forgotten: the producer must start again at seq 0.
    expect(await stub.append({ bodies: [body("b")], producer: producer(1) })).toMatchObject({
      ok: false,
      error: { code: "OUT_OF_ORDER_SEQUENCE", expectedSeq: 0 },
    });
  });
});

describe("upgrade", () => {
  it("groups a log stored before segments existed into segments, losing nothing", async () => {
    const { stub } = leader();
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      // A new object stores nothing until it is written to: today's schema first,
      // then back to schema version 1, with batches written the way it wrote them.
      migrate(state.storage, LEADER_MIGRATIONS);
      for (const t of ["segments", "leader_config", "compaction_keys", "cold_garbage", "stream_meta"]) sql.exec(`DROP TABLE ${t}`);
      sql.exec("ALTER TABLE batches DROP COLUMN end_offset");
      sql.exec("ALTER TABLE batches DROP COLUMN stamp");
      sql.exec("ALTER TABLE batches DROP COLUMN values_only");
      sql.exec("ALTER TABLE partition_state DROP COLUMN keys_cursor");
      sql.exec("DELETE FROM schema_migrations WHERE version > 1");
      let offset = 0;
      for (let b = 0; b < 3000; b++) {
        const lines = [0, 1].map((i) => `{"offset":${offset + i},"timestamp":${1000 + b},${body(`v${offset + i}`)}}`).join("\n");
        sql.exec("INSERT INTO batches VALUES (?, 2, ?, ?, ?, NULL, NULL, NULL, ?)", offset, 1000 + b, 1000 + b, 1000, lines);
        offset += 2;
      }
      sql.exec("UPDATE partition_state SET high_watermark = ?, record_count = ?, bytes = ?, max_timestamp = ?", offset, offset, 3000 * 1000, 3999);
      migrate(state.storage, LEADER_MIGRATIONS);
    });
    await evictDurableObject(stub);
    const s = await stats(stub);
    expect(s).toMatchObject({ logStartOffset: 0, highWatermark: 6000, records: 6000, bytes: 3_000_000, bytesInSqlite: 3_000_000 });
    expect(s.segments).toBe(3); // about 1 MiB each
    const records = await readAll(stub);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    expect(await stub.append({ bodies: [body("new")] })).toMatchObject({ ok: true, baseOffset: 6000 });
  });
});
