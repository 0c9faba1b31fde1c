/**
 * Cold segments: closed segments older than the configured age move to the
 * R2 bucket (Miniflare's local one here) under immutable keys, reads of
 * their offsets come from R2 and return exactly what SQLite returned, and
 * retention, topic deletion, double alarms and a crash between the R2 write
 * and the SQLite commit leave neither a hole nor stray objects.
 */

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { fireAlarms as fireAlarmRounds, stats, testLeader, type Stub } from "./leader-support.ts";
import { describe, expect, it } from "vitest";
import type { PartitionLeader } from "../../worker/durable/partition-leader/index.ts";
import type { LeaderConfig } from "../../worker/durable/partition-leader/leader-config.ts";
import type { StartPosition } from "../../worker/durable/partition-leader/rpc.ts";


const leader = (over: Partial<LeaderConfig> = {}) => testLeader("cold", { coldSegmentAgeMs: 0, ...over });

/** 20 batches of 3 records, offsets 0-59, timestamps 1000 + 10 × offset. */
async function fill(stub: Stub): Promise<void> {
  for (let b = 0; b < 20; b++) {
    const offsets = [0, 1, 2].map((i) => b * 3 + i);
    const r = await stub.append({
      bodies: offsets.map((o) => `"key":"k${o % 4}","value":{"n":${o},"text":"héllo ${o}"},"headers":{"h":"${o}"}`),
      timestamps: offsets.map((o) => 1000 + 10 * o),
    });
    if (!r.ok) throw new Error(r.error.message);
  }
}

const fireAlarms = (stub: Stub, rounds = 20) => fireAlarmRounds(stub, rounds);

/** Many reads: every start offset and timestamp with small, odd and large pages. */
async function snapshot(stub: Stub): Promise<unknown[]> {
  const out: unknown[] = [];
  const starts: StartPosition[] = ["earliest", ...Array.from({ length: 61 }, (_, i) => i), { timestamp: 1000 }, { timestamp: 1255 }, { timestamp: 1590 }];
  for (const from of starts) {
    for (const maxRecords of [1, 5, 100]) {
      const r = await stub.read({ from, maxRecords, maxBytes: 1 << 20, waitMs: 0 });
      out.push({ from, maxRecords, r });
    }
  }
  out.push(await stub.read({ from: 7, maxRecords: 100, maxBytes: 300, waitMs: 0 }));
  return out;
}

async function objectKeys(prefix: string): Promise<string[]> {
  const listed = await env.COLD_SEGMENTS.list({ prefix });
  return listed.objects.map((o) => o.key).sort();
}

async function coldSegments(stub: Stub): Promise<{ base_offset: number; end_offset: number; r2_key: string }[]> {
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ base_offset: number; end_offset: number; r2_key: string }>(
        "SELECT base_offset, end_offset, r2_key FROM segments WHERE state = 'cold' ORDER BY base_offset",
      )
      .toArray(),
  );
}

describe("cold segments", () => {
  it("move to R2 under immutable keys, and reads across the SQLite/R2 boundary return what they did before", async () => {
    const { stub, config } = leader();
    await stub.configure({ ...config, coldSegmentAgeMs: -1 });
    await fill(stub);
    const before = await snapshot(stub);
    const statsBefore = await stats(stub);
    expect(statsBefore.bytesInR2).toBe(0);
    await stub.configure(config);
    await fireAlarms(stub);
    const after = await stats(stub);
    // Every closed segment is cold; the open one stays in SQLite.
    expect(after.bytesInR2).toBeGreaterThan(0);
    expect(after.bytesInSqlite).toBeLessThan(700);
    expect(after.bytes).toBe(statsBefore.bytes);
    expect(after).toMatchObject({ records: 60, segments: statsBefore.segments, logStartOffset: 0, highWatermark: 60 });
    const cold = await coldSegments(stub);
    expect(cold.length).toBe(statsBefore.segments - 1);
    expect(cold.map((s) => s.r2_key)).toEqual(cold.map((s) => `${config.topicId}/0/${s.base_offset}-${s.end_offset}.jsonl`));
    expect(await objectKeys(`${config.topicId}/`)).toEqual(cold.map((s) => s.r2_key).sort());
    expect(await snapshot(stub)).toEqual(before);
    // Without the in-memory cache of R2 objects too.
    await evictDurableObject(stub);
    expect(await snapshot(stub)).toEqual(before);
  });

  it("stay in SQLite when no age is configured", async () => {
    const { stub, config } = leader({ coldSegmentAgeMs: -1 });
    await stub.configure(config);
    await fill(stub);
    await fireAlarms(stub);
    expect(await stats(stub)).toMatchObject({ bytesInR2: 0 });
    expect(await objectKeys(`${config.topicId}/`)).toEqual([]);
  });

  it("lose nothing when the object restarts between the R2 write and the SQLite commit", async () => {
    const { stub, config } = leader();
    await stub.configure({ ...config, coldSegmentAgeMs: -1 });
    await fill(stub);
    const before = await snapshot(stub);
    // What a crash leaves: the object written (here even with other content), SQLite still holding the segment.
    const first = (await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec<{ end_offset: number }>("SELECT end_offset FROM segments ORDER BY base_offset LIMIT 1").one(),
    )).end_offset;
    await env.COLD_SEGMENTS.put(`${config.topicId}/0/0-${first}.jsonl`, "a half-written attempt");
    await evictDurableObject(stub);
    expect(await snapshot(stub)).toEqual(before);
    await stub.configure(config);
    await fireAlarms(stub);
    expect((await stats(stub)).bytesInR2).toBeGreaterThan(0);
    expect(await snapshot(stub)).toEqual(before);
    await evictDurableObject(stub);
    expect(await snapshot(stub)).toEqual(before);
  });

  it("survive alarms that run twice at once", async () => {
    const { stub, config } = leader();
    await stub.configure({ ...config, coldSegmentAgeMs: -1 });
    await fill(stub);
    const before = await snapshot(stub);
    await runInDurableObject(stub, async (instance: PartitionLeader) => {
      instance.configure(config);
      await Promise.all([instance.alarm(), instance.alarm(), instance.alarm()]);
    });
    await fireAlarms(stub);
    const cold = await coldSegments(stub);
    expect(await objectKeys(`${config.topicId}/`)).toEqual(cold.map((s) => s.r2_key).sort());
    expect(await snapshot(stub)).toEqual(before);
  });

  it("are deleted from R2 by retention and when the topic is deleted", async () => {
    const { stub, config } = leader({ retentionBytes: 1_500 });
    await stub.configure(config);
    await fill(stub);
    await fireAlarms(stub);
    const s = await stats(stub);
    expect(s.logStartOffset).toBeGreaterThan(0);
    expect(s.bytes).toBeLessThan(1_500 + 700);
    const cold = await coldSegments(stub);
    expect(cold.length).toBeGreaterThan(0);
    expect(await objectKeys(`${config.topicId}/`)).toEqual(cold.filter((c) => c.end_offset > s.logStartOffset).map((c) => c.r2_key).sort());
    const r = await stub.read({ from: "earliest", maxRecords: 1000, maxBytes: 1 << 20, waitMs: 0 });
    if (!r.ok) throw new Error(r.error.message);
    expect(JSON.parse(`[${r.records}]`).map((x: { offset: number }) => x.offset)).toEqual(
      Array.from({ length: 60 - s.logStartOffset }, (_, i) => s.logStartOffset + i),
    );
    await stub.drop();
    await fireAlarms(stub, 3);
    expect(await objectKeys(`${config.topicId}/`)).toEqual([]);
  });
});
