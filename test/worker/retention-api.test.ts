/**
 * Retention over HTTP, in workerd: DeleteRecords, reads below the log start,
 * describe's storage figures, topic configs reaching the leaders (on create,
 * on PATCH, and with appends for a leader that missed both), and bad input.
 */

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PartitionLeader } from "../../worker/durable/partition-leader/index.ts";
import { call, createTopic, sendJson, uniqueTopic } from "./support.ts";

async function describeTopic(name: string): Promise<any> {
  const res = await call(`/v1/topics/${name}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function leaderOf(name: string, partition = 0): Promise<DurableObjectStub<PartitionLeader>> {
  return env.PARTITION_LEADER.getByName(`${(await describeTopic(name)).topicId}/${partition}`);
}

async function produce(name: string, partition: number, records: unknown[]): Promise<void> {
  const res = await sendJson("POST", `/v1/topics/${name}/partitions/${partition}/records`, { records });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function fireAlarms(name: string, rounds = 10): Promise<void> {
  await runInDurableObject(await leaderOf(name), async (instance: PartitionLeader) => {
    for (let i = 0; i < rounds; i++) await instance.alarm();
  });
}

const del = (path: string) => call(path, { method: "DELETE" });

describe("DELETE /v1/topics/:topic/partitions/:p/records?before=N", () => {
  it("moves the log start; fetches below it answer 416 with the new start; earliest moves on", async () => {
    const name = uniqueTopic("dr");
    await createTopic(name, { partitions: 2 });
    await produce(name, 1, Array.from({ length: 10 }, (_, i) => ({ value: i })));
    const res = await del(`/v1/topics/${name}/partitions/1/records?before=4`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ logStartOffset: 4 });
    const below = await call(`/v1/topics/${name}/partitions/1/records?offset=2`);
    expect(below.status).toBe(416);
    expect(await below.json()).toMatchObject({
      error: { code: "OFFSET_OUT_OF_RANGE", retriable: false, logStartOffset: 4, highWatermark: 10 },
    });
    const earliest = await (await call(`/v1/topics/${name}/partitions/1/records?offset=earliest`)).json<any>();
    expect(earliest).toMatchObject({ logStartOffset: 4, highWatermark: 10, nextOffset: 10 });
    expect(earliest.records.map((r: { value: number }) => r.value)).toEqual([4, 5, 6, 7, 8, 9]);
    // An earlier `before` changes nothing; `latest` deletes everything; the other partition is untouched.
    expect(await (await del(`/v1/topics/${name}/partitions/1/records?before=1`)).json()).toEqual({ logStartOffset: 4 });
    expect(await (await del(`/v1/topics/${name}/partitions/1/records?before=latest`)).json()).toEqual({ logStartOffset: 10 });
    const described = await describeTopic(name);
    expect(described.partitions[1]).toMatchObject({ logStartOffset: 10, highWatermark: 10, records: 0, bytes: 0, segments: 0 });
    expect(described.partitions[0]).toMatchObject({ logStartOffset: 0, highWatermark: 0 });
  });

  it.each([
    { name: "before past the high watermark", query: "before=11", status: 416, code: "OFFSET_OUT_OF_RANGE" },
    { name: "no before", query: "", status: 400, code: "INVALID_REQUEST" },
    { name: "a negative before", query: "before=-1", status: 400, code: "INVALID_REQUEST" },
    { name: "a fractional before", query: "before=1.5", status: 400, code: "INVALID_REQUEST" },
    { name: "a word", query: "before=soon", status: 400, code: "INVALID_REQUEST" },
    { name: "an unknown parameter", query: "before=1&offset=2", status: 400, code: "INVALID_REQUEST" },
  ])("refuses $name with $status and deletes nothing", async ({ query, status, code }) => {
    const name = uniqueTopic("drbad");
    await createTopic(name);
    await produce(name, 0, Array.from({ length: 10 }, (_, i) => ({ value: i })));
    const res = await del(`/v1/topics/${name}/partitions/0/records?${query}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code, retriable: false } });
    expect((await describeTopic(name)).partitions[0]).toMatchObject({ logStartOffset: 0, highWatermark: 10, records: 10 });
  });

  it("answers 404 for an unknown topic or partition and 400 for a compacted topic", async () => {
    const name = uniqueTopic("dr404");
    await createTopic(name, { cleanupPolicy: "compact" });
    expect((await del(`/v1/topics/nope-${name}/partitions/0/records?before=0`)).status).toBe(404);
    const noPartition = await del(`/v1/topics/${name}/partitions/3/records?before=0`);
    expect(noPartition.status).toBe(404);
    expect(await noPartition.json()).toMatchObject({ error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });
    const compacted = await del(`/v1/topics/${name}/partitions/0/records?before=0`);
    expect(compacted.status).toBe(400);
    expect(await compacted.json()).toMatchObject({ error: { code: "INVALID_REQUEST" } });
  });
});

describe("topic configs reach the leaders", () => {
  it("describe shows each partition's log start, high watermark, bytes in SQLite and R2, and segments", async () => {
    const name = uniqueTopic("desc");
    await createTopic(name);
    await produce(name, 0, [{ value: "a" }, { value: "b" }]);
    const p = (await describeTopic(name)).partitions[0];
    expect(p).toMatchObject({ partition: 0, logStartOffset: 0, highWatermark: 2, records: 2, bytesInR2: 0, segments: 1 });
    expect(p.bytesInSqlite).toBeGreaterThan(0);
    expect(p.bytes).toBe(p.bytesInSqlite + p.bytesInR2);
  });

  it("enforces a retention a PATCH sets on a topic that had none", async () => {
    const name = uniqueTopic("patch");
    await createTopic(name, { retentionMs: -1, partitions: 1 });
    // ~1.2 MB in two requests: two segments, both written an hour ago.
    const old = Date.now() - 3_600_000;
    for (let i = 0; i < 2; i++) {
      await produce(name, 0, Array.from({ length: 6 }, (_, j) => ({ value: "x".repeat(100_000), timestamp: old + i * 6 + j })));
    }
    await produce(name, 0, [{ value: "new" }]);
    await fireAlarms(name);
    expect((await describeTopic(name)).partitions[0]).toMatchObject({ logStartOffset: 0, highWatermark: 13 });
    const patched = await sendJson("PATCH", `/v1/topics/${name}`, { retentionMs: 60_000 });
    expect(patched.status).toBe(200);
    await fireAlarms(name);
    const p = (await describeTopic(name)).partitions[0];
    expect(p.logStartOffset).toBeGreaterThan(0);
    expect(p.highWatermark).toBe(13);
    const rest = await (await call(`/v1/topics/${name}/partitions/0/records`)).json<any>();
    expect(rest.records.at(-1).value).toBe("new");
  });

  it("converges from the config an append carries when a leader never got its configure call", async () => {
    const name = uniqueTopic("converge");
    await createTopic(name, { cleanupPolicy: "compact" });
    const leader = await leaderOf(name);
    // Forget the configure call, as if it had been lost.
    await runInDurableObject(leader, (_, state) => {
      state.storage.sql.exec("DELETE FROM leader_config");
      state.storage.sql.exec("UPDATE partition_state SET keys_cursor = NULL");
    });
    await evictDurableObject(leader);
    await produce(name, 0, [{ key: "k", value: 1 }]);
    const config = await runInDurableObject(leader, (_, state) => state.storage.sql.exec<{ config: string }>("SELECT config FROM leader_config").one().config);
    expect(JSON.parse(config)).toMatchObject({ cleanupPolicy: "compact", retentionMs: 604_800_000 });
    // And enforces it: a keyless record is refused by the leader itself.
    expect(await leader.append({ bodies: ['"key":null,"value":1,"headers":{}'] })).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
  });

  it("refuses a keyless record for a compacted topic before writing any of the request", async () => {
    const name = uniqueTopic("compactkeyless");
    await createTopic(name, { cleanupPolicy: "compact", partitions: 3 });
    const res = await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ key: "a", value: 1 }, { key: "b", value: 2 }, { value: 3 }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_REQUEST", retriable: false } });
    expect((await describeTopic(name)).partitions.map((p: { highWatermark: number }) => p.highWatermark)).toEqual([0, 0, 0]);
  });
});

describe("bad retention configs", () => {
  const bad = [
    { retentionMs: 0 },
    { retentionMs: -2 },
    { retentionMs: 1.5 },
    { retentionMs: "1000" },
    { retentionMs: 100 * 366 * 86_400_000 },
    { retentionBytes: 0 },
    { retentionBytes: -7 },
    { retentionBytes: 2 ** 51 },
    { deleteRetentionMs: -1 },
    { deleteRetentionMs: null },
    { cleanupPolicy: "compact,delete" },
  ];

  it.each(bad)("PUT %o is 400 INVALID_CONFIG and creates nothing", async (config) => {
    const name = uniqueTopic("badret");
    const res = await sendJson("PUT", `/v1/topics/${name}`, config);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_CONFIG", retriable: false } });
    expect((await call(`/v1/topics/${name}`)).status).toBe(404);
  });

  it.each(bad)("PATCH %o is 400 INVALID_CONFIG and changes nothing", async (config) => {
    const name = uniqueTopic("badpatch");
    await createTopic(name, { retentionMs: 60_000 });
    const res = await sendJson("PATCH", `/v1/topics/${name}`, config);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_CONFIG" } });
    expect((await describeTopic(name)).config).toMatchObject({ retentionMs: 60_000, retentionBytes: -1, cleanupPolicy: "delete", deleteRetentionMs: 86_400_000 });
  });
});
