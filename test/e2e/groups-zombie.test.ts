/**
 * @module
 * Fencing on the real bus: a member paused past its session timeout (a GC
 * pause, a suspended laptop) is expelled, and when it resumes it cannot
 * commit over the progress of the member that took its partitions.
 */

import { afterEach, expect, inject, it } from "vitest";
import type { GroupOffsets, JoinGroupResponse } from "../../src/protocol/types.ts";
import { call, createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { GroupConsumer, describeGroup, sleep, waitFor } from "../support/group-consumer.ts";

const url = inject("busUrl");
let consumers: GroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.map((c) => c.kill()));
  consumers = [];
});

async function committed(group: string): Promise<Map<number, number>> {
  const res = await call<GroupOffsets>(url, "GET", `/v1/groups/${group}/offsets`);
  return new Map(res.body.offsets.map((o) => [o.partition, o.offset]));
}

it("a member paused past its session cannot commit when it resumes; it has to join again", async () => {
  const topic = uniqueTopic("grp-zombie");
  await createTopic(url, topic, { partitions: 2 });
  const group = uniqueTopic("zombie");
  let armed = false;
  const zombie: GroupConsumer = new GroupConsumer({
    url,
    group,
    topics: [topic],
    name: "zombie",
    sessionTimeoutMs: 1_500,
    maxRecords: 5,
    // Freezes right after processing a record, before committing it.
    process: (d) => {
      if (armed && d.consumer === "zombie") {
        armed = false;
        zombie.pause();
      }
    },
  });
  const healthy = new GroupConsumer({ url, group, topics: [topic], name: "healthy", sessionTimeoutMs: 3_000 });
  consumers = [zombie, healthy];
  await zombie.start();
  await healthy.start();
  await waitFor("one partition each", async () => {
    const d = await describeGroup(url, group);
    return d.state === "Stable" && d.members.length === 2 && zombie.partitions(topic).length === 1;
  });
  const [p] = zombie.partitions(topic) as [number];
  const oldMemberId = zombie.memberId;
  const oldGeneration = zombie.generation;

  armed = true;
  const produced = await producePartition(url, topic, p, Array.from({ length: 20 }, (_, i) => ({ value: i })));
  expect(produced.status).toBe(200);
  await waitFor("the zombie to freeze mid-batch", () => !armed);

  // Its session runs out; the healthy member takes the partition and consumes all of it.
  await waitFor("the partition handed over and consumed", async () => {
    const d = await describeGroup(url, group);
    return d.members.length === 1 && healthy.partitions(topic).includes(p) && (await committed(group)).get(p) === 20;
  });
  expect(zombie.delivered.length).toBeGreaterThan(0);
  expect(zombie.commits.filter((c) => c.partition === p)).toEqual([]);

  zombie.resume();
  await waitFor("the zombie's commit to be refused", () => zombie.refusals.some((r) => r.during === "commit"));
  expect(zombie.refusals.find((r) => r.during === "commit")).toEqual({ code: "UNKNOWN_MEMBER_ID", during: "commit" });
  expect(zombie.commits.filter((c) => c.generation === oldGeneration && c.partition === p)).toEqual([]);
  expect((await committed(group)).get(p)).toBe(20);

  // It joins again as a new member and the group shares the partitions again.
  await waitFor("the zombie back as a new member", async () => {
    const d = await describeGroup(url, group);
    return d.state === "Stable" && d.members.length === 2;
  });
  expect(zombie.memberId).not.toBe(oldMemberId);
  expect([zombie.errors, healthy.errors]).toEqual([[], []]);
});

it("refuses every call of an expired member at the protocol level", async () => {
  const topic = uniqueTopic("grp-zombie-raw");
  await createTopic(url, topic, { partitions: 1 });
  await producePartition(url, topic, 0, [{ value: 1 }, { value: 2 }]);
  const group = uniqueTopic("zombie-raw");
  const join = await call<JoinGroupResponse>(url, "POST", `/v1/groups/${group}/members`, { topics: [topic], sessionTimeoutMs: 1_000 });
  expect(join.status).toBe(200);
  const { memberId, generation } = join.body;
  const ok = await call(url, "POST", `/v1/groups/${group}/offsets`, { memberId, generation, offsets: [{ topic, partition: 0, offset: 1 }] });
  expect(ok.status).toBe(200);

  await sleep(1_300);
  const commit = await call(url, "POST", `/v1/groups/${group}/offsets`, { memberId, generation, offsets: [{ topic, partition: 0, offset: 2 }] });
  expect(commit).toMatchObject({ status: 409, body: { error: { code: "UNKNOWN_MEMBER_ID", retriable: false } } });
  const heartbeat = await call(url, "POST", `/v1/groups/${group}/members/${memberId}/heartbeat`, { generation });
  expect(heartbeat.body).toMatchObject({ error: { code: "UNKNOWN_MEMBER_ID" } });
  const rejoin = await call(url, "POST", `/v1/groups/${group}/members`, { topics: [topic], memberId });
  expect(rejoin.body).toMatchObject({ error: { code: "UNKNOWN_MEMBER_ID" } });
  expect((await committed(group)).get(0)).toBe(1);
});
