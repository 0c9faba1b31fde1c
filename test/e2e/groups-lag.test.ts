/**
 * @module
 * Lag on the real bus: what describe reports per partition is the
 * partition's high watermark minus the group's committed offset, checked
 * against the topic's own description and the committed offsets.
 */

import { expect, inject, it } from "vitest";
import type { GroupOffsets, JoinGroupResponse, TopicDescription } from "../../src/protocol/types.ts";
import { call, createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { describeGroup } from "../support/group-consumer.ts";

const url = inject("busUrl");

async function produce(topic: string, partition: number, count: number): Promise<void> {
  const res = await producePartition(url, topic, partition, Array.from({ length: count }, (_, i) => ({ value: i })));
  expect(res.status).toBe(200);
}

async function expectLagMatches(group: string, topic: string): Promise<void> {
  const d = await describeGroup(url, group);
  const t = (await call<TopicDescription>(url, "GET", `/v1/topics/${topic}`)).body;
  const offsets = (await call<GroupOffsets>(url, "GET", `/v1/groups/${group}/offsets`)).body.offsets;
  expect(d.partitions.map((p) => p.partition)).toEqual(t.partitions.map((p) => p.partition));
  for (const p of d.partitions) {
    const hw = t.partitions[p.partition]!.highWatermark;
    const committed = offsets.find((o) => o.partition === p.partition)?.offset ?? null;
    expect(p).toMatchObject({ highWatermark: hw, committedOffset: committed, lag: committed === null ? null : hw - committed });
  }
  expect(d.totalLag).toBe(d.partitions.reduce((s, p) => s + (p.lag ?? 0), 0));
}

it("reports lag as high watermark minus committed offset, as records arrive and commits move", async () => {
  const topic = uniqueTopic("grp-lag");
  await createTopic(url, topic, { partitions: 3 });
  await produce(topic, 0, 10);
  await produce(topic, 1, 5);
  const group = uniqueTopic("lag");
  const join = await call<JoinGroupResponse>(url, "POST", `/v1/groups/${group}/members`, { topics: [topic], sessionTimeoutMs: 60_000 });
  const { memberId, generation } = join.body;
  const commit = (offsets: { partition: number; offset: number }[]) =>
    call(url, "POST", `/v1/groups/${group}/offsets`, { memberId, generation, offsets: offsets.map((o) => ({ topic, ...o })) });

  expect((await commit([{ partition: 0, offset: 4 }, { partition: 1, offset: 5 }])).status).toBe(200);
  await expectLagMatches(group, topic);
  expect((await describeGroup(url, group)).partitions.map((p) => p.lag)).toEqual([6, 0, null]);

  await produce(topic, 1, 3);
  await produce(topic, 2, 2);
  expect((await commit([{ partition: 2, offset: 1 }])).status).toBe(200);
  await expectLagMatches(group, topic);
  const d = await describeGroup(url, group);
  expect(d.partitions.map((p) => p.lag)).toEqual([6, 3, 1]);
  expect(d.totalLag).toBe(10);
});
