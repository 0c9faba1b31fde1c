import { describe, expect, it } from "vitest";
import {
  commit,
  committed,
  deleteGroup,
  describeGroup,
  joined,
  leave,
  partitionsOf,
  resetOffsets,
  uniqueGroup,
} from "./groups-support.ts";
import { call, createTopic, sendJson, uniqueTopic } from "./support.ts";

async function produce(topic: string, partition: number, count: number, timestamp?: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) => ({ value: i, ...(timestamp === undefined ? {} : { timestamp }) }));
  const res = await sendJson("POST", `/v1/topics/${topic}/partitions/${partition}/records`, { records });
  if (res.status !== 200) throw new Error(`produce: ${res.status} ${await res.text()}`);
}

describe("describe and lag", () => {
  it("reports members, assignment, committed offsets and lag = high watermark − committed offset", async () => {
    const topic = uniqueTopic("lag");
    await createTopic(topic, { partitions: 3 });
    await produce(topic, 0, 10);
    await produce(topic, 1, 4);
    const group = uniqueGroup("lag");
    const m = await joined(group, { topics: [topic], clientId: "reader" });
    await commit(group, m.memberId, m.generation, [
      { topic, partition: 0, offset: 7, metadata: "checkpoint-7" },
      { topic, partition: 1, offset: 4 },
    ]);
    const d = (await describeGroup(group)).body;
    expect(d).toMatchObject({ group, state: "Stable", generation: 1, assignor: "sticky", totalLag: 3 });
    expect(d.members).toEqual([
      {
        memberId: m.memberId,
        clientId: "reader",
        topics: [topic],
        sessionTimeoutMs: 10_000,
        generation: 1,
        assignment: [{ topic, partitions: [0, 1, 2] }],
        pending: [],
        joinedAt: expect.any(Number),
        lastHeartbeatAt: expect.any(Number),
        expiresAt: expect.any(Number),
      },
    ]);
    expect(d.partitions).toEqual([
      { topic, partition: 0, committedOffset: 7, metadata: "checkpoint-7", logStartOffset: 0, highWatermark: 10, lag: 3 },
      { topic, partition: 1, committedOffset: 4, metadata: null, logStartOffset: 0, highWatermark: 4, lag: 0 },
      { topic, partition: 2, committedOffset: null, metadata: null, logStartOffset: 0, highWatermark: 0, lag: null },
    ]);
  });

  it("keeps listing committed partitions after the members left, and forgets offsets of a deleted topic", async () => {
    const topic = uniqueTopic("lag2");
    await createTopic(topic, { partitions: 2 });
    await produce(topic, 1, 5);
    const group = uniqueGroup("lag2");
    const m = await joined(group, { topics: [topic] });
    await commit(group, m.memberId, m.generation, [{ topic, partition: 1, offset: 2 }]);
    await leave(group, m.memberId);
    const d = (await describeGroup(group)).body;
    expect(d).toMatchObject({ state: "Empty", members: [], totalLag: 3 });
    expect(d.partitions).toEqual([{ topic, partition: 1, committedOffset: 2, metadata: null, logStartOffset: 0, highWatermark: 5, lag: 3 }]);

    expect((await call(`/v1/topics/${topic}`, { method: "DELETE" })).status).toBe(204);
    await createTopic(topic, { partitions: 2 });
    expect((await describeGroup(group)).body.partitions).toEqual([]);
    expect((await committed(group)).body.offsets).toEqual([]);
  });
});

describe("list, delete and reset", () => {
  it("lists a group from its first join until it is deleted, which needs it empty", async () => {
    const topic = uniqueTopic("adm");
    await createTopic(topic);
    const group = uniqueGroup("adm");
    const m = await joined(group, { topics: [topic] });
    const listed = (await (await call("/v1/groups")).json<any>()).groups;
    expect(listed).toContainEqual({ group, createdAt: expect.any(Number) });

    const busy = await deleteGroup(group);
    expect(busy).toMatchObject({ status: 409, body: { error: { code: "NON_EMPTY_GROUP" } } });
    await commit(group, m.memberId, m.generation, [{ topic, partition: 0, offset: 0 }]);
    await leave(group, m.memberId);
    expect((await deleteGroup(group)).status).toBe(204);
    expect((await (await call("/v1/groups")).json<any>()).groups.map((g: any) => g.group)).not.toContain(group);
    expect(await describeGroup(group)).toMatchObject({ status: 404, body: { error: { code: "GROUP_ID_NOT_FOUND" } } });
    expect((await committed(group)).status).toBe(404);
    expect((await deleteGroup(group)).status).toBe(404);

    // The same name later is a new group, from generation 1 and with no offsets.
    const again = await joined(group, { topics: [topic] });
    expect(again.generation).toBe(1);
    expect((await committed(group)).body.offsets).toEqual([]);
  });

  it("resets offsets to earliest, latest, a time or an offset while the group has no members", async () => {
    const topic = uniqueTopic("reset");
    await createTopic(topic, { partitions: 2 });
    await produce(topic, 0, 3, 1_000);
    await produce(topic, 0, 3, 2_000);
    await produce(topic, 1, 4, 5_000);
    const group = uniqueGroup("reset");

    const latest = await resetOffsets(group, { topic, to: "latest" });
    expect(latest.status).toBe(200);
    expect(latest.body.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 6], [1, 4]]);
    const byTime = await resetOffsets(group, { topic, to: { timestamp: 1_500 } });
    expect(byTime.body.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 3], [1, 0]]);
    const one = await resetOffsets(group, { topic, to: { offset: 2 }, partitions: [1] });
    expect(one.body.offsets).toEqual([{ topic, partition: 1, offset: 2, metadata: null, committedAt: expect.any(Number) }]);
    expect((await committed(group, topic)).body.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 3], [1, 2]]);
    await resetOffsets(group, { topic, to: "earliest", partitions: [0] });
    expect((await committed(group, topic)).body.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 0], [1, 2]]);

    const m = await joined(group, { topics: [topic] });
    const refused = await resetOffsets(group, { topic, to: "latest" });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "NON_EMPTY_GROUP" } } });
    expect((await committed(group, topic)).body.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 0], [1, 2]]);
    expect(partitionsOf(m.assignment, topic)).toEqual([0, 1]);
  });
});

describe("OpenAPI", () => {
  it("documents every group route", async () => {
    const doc = await (await call("/v1/openapi.json")).json<any>();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/v1/groups")).sort()).toEqual([
      "/v1/groups",
      "/v1/groups/{group}",
      "/v1/groups/{group}/members",
      "/v1/groups/{group}/members/{member}",
      "/v1/groups/{group}/members/{member}/heartbeat",
      "/v1/groups/{group}/offsets",
      "/v1/groups/{group}/offsets/reset",
    ]);
  });
});
