/**
 * @module
 * Consumer groups on the real bus: members share a topic's partitions, a
 * member that dies without leaving loses its partitions after its session
 * timeout, and with commits after processing every record is processed at
 * least once and none is skipped. New partitions of the topic are picked up
 * by a rebalance.
 */

import { afterEach, expect, inject, it } from "vitest";
import type { GroupOffsets } from "../../src/protocol/types.ts";
import { call, createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { GroupConsumer, describeGroup, sleep, waitFor } from "../support/group-consumer.ts";

const url = inject("busUrl");
const SESSION_MS = 1_500;
let consumers: GroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.map((c) => c.kill()));
  consumers = [];
});

async function produceEach(topic: string, partitions: number[], count: number, tag: string): Promise<void> {
  await Promise.all(
    partitions.map(async (p) => {
      const records = Array.from({ length: count }, (_, i) => ({ key: `${tag}-${p}-${i}`, value: { tag, p, i } }));
      const res = await producePartition(url, topic, p, records);
      if (res.status !== 200) throw new Error(`produce: ${res.status} ${JSON.stringify(res.body)}`);
    }),
  );
}

async function committedOffsets(group: string): Promise<Map<number, number>> {
  const res = await call<GroupOffsets>(url, "GET", `/v1/groups/${group}/offsets`);
  return new Map(res.status === 200 ? res.body.offsets.map((o) => [o.partition, o.offset]) : []);
}

/** Each partition's offsets processed by anyone. */
function processed(all: GroupConsumer[], partitions: number): Set<number>[] {
  const seen = Array.from({ length: partitions }, () => new Set<number>());
  for (const c of all) for (const d of c.delivered) seen[d.partition]!.add(d.record.offset);
  return seen;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

it("reassigns a dead member's partitions after its session timeout; every record is processed, none skipped", async () => {
  const topic = uniqueTopic("grp-failover");
  await createTopic(url, topic, { partitions: 6 });
  const group = uniqueTopic("failover");

  const firstTakenAt = new Map<number, number>();
  let killedAt = 0;
  let killed: Promise<void> | null = null;
  consumers = ["c1", "c2", "c3"].map(
    (name) =>
      new GroupConsumer({
        url,
        group,
        topics: [topic],
        name,
        sessionTimeoutMs: SESSION_MS,
        maxRecords: 10,
        process: async (d) => {
          if (d.consumer !== "c3" && !firstTakenAt.has(d.partition)) firstTakenAt.set(d.partition, Date.now());
          // c3 dies in the middle of a batch: what it processed since its last commit is lost.
          if (d.consumer === "c3" && killedAt === 0 && consumers[2]!.delivered.length === 14) {
            killedAt = Date.now();
            firstTakenAt.clear();
            killed = consumers[2]!.kill();
          }
          await sleep(10);
        },
      }),
  );
  const [c1, c2, c3] = consumers as [GroupConsumer, GroupConsumer, GroupConsumer];
  for (const c of consumers) await c.start();
  await waitFor("three members with two partitions each", async () => {
    const d = await describeGroup(url, group);
    return d.state === "Stable" && d.members.length === 3 && d.members.every((m) => m.assignment[0]?.partitions.length === 2);
  });

  const orphaned = c3.partitions(topic);
  expect(orphaned).toHaveLength(2);
  await produceEach(topic, range(6), 40, "before");
  await waitFor("c3 to die", () => killed !== null);
  await killed;
  await produceEach(topic, range(6), 40, "after");

  await waitFor(
    "every partition committed to its end",
    async () => {
      const committed = await committedOffsets(group);
      return range(6).every((p) => committed.get(p) === 80);
    },
    30_000,
  );

  await waitFor("c1 and c2 to own all six partitions", () => stableOver(group, ["c1", "c2"], 6));
  for (const p of orphaned) {
    // Nobody took c3's partitions before its session could have run out.
    expect(firstTakenAt.get(p)! - killedAt).toBeGreaterThanOrEqual(SESSION_MS - c3HeartbeatSlack());
    expect([...c1.partitions(topic), ...c2.partitions(topic)]).toContain(p);
  }
  // What c3 processed but never committed was processed again by the new owner.
  const uncommitted = c3.delivered.filter((d) => d.record.offset >= Math.max(0, ...c3.commits.filter((c) => c.partition === d.partition).map((c) => c.offset)));
  expect(uncommitted.length).toBeGreaterThan(0);
  for (const d of uncommitted) {
    expect([...c1.delivered, ...c2.delivered].some((s) => s.partition === d.partition && s.record.offset === d.record.offset)).toBe(true);
  }
  // At least once, nothing skipped: every offset of every partition was processed.
  for (const [p, offsets] of processed(consumers, 6).entries()) expect([...offsets].sort((a, b) => a - b), `partition ${p}`).toEqual(range(80));
  expect([c1.errors, c2.errors]).toEqual([[], []]);
});

it("picks up partitions added to a subscribed topic", async () => {
  const topic = uniqueTopic("grp-grow");
  await createTopic(url, topic, { partitions: 2 });
  const group = uniqueTopic("grow");
  consumers = ["g1", "g2"].map((name) => new GroupConsumer({ url, group, topics: [topic], name, sessionTimeoutMs: 3_000 }));
  for (const c of consumers) await c.start();
  await produceEach(topic, [0, 1], 5, "old");

  const grown = await call(url, "PATCH", `/v1/topics/${topic}`, { partitions: 4 });
  expect(grown.status).toBe(200);
  await produceEach(topic, [2, 3], 7, "new");
  await waitFor(
    "the new partitions consumed and committed",
    async () => {
      const committed = await committedOffsets(group);
      return committed.get(0) === 5 && committed.get(1) === 5 && committed.get(2) === 7 && committed.get(3) === 7;
    },
    30_000,
  );
  await waitFor("g1 and g2 to own two partitions each", async () => {
    return (await stableOver(group, ["g1", "g2"], 4)) && consumers.every((c) => c.partitions(topic).length === 2);
  });
  for (const [p, offsets] of processed(consumers, 4).entries()) expect(offsets.size, `partition ${p}`).toBe(p < 2 ? 5 : 7);
});

/** The group is stable, its members are exactly `clients`, and they own partitions 0..n-1 between them. */
async function stableOver(group: string, clients: string[], n: number): Promise<boolean> {
  const d = await describeGroup(url, group);
  const owned = d.members.flatMap((m) => m.assignment.flatMap((a) => a.partitions)).sort((a, b) => a - b);
  return d.state === "Stable" && d.members.map((m) => m.clientId).sort().join() === clients.join() && owned.join() === range(n).join();
}

/**
 * The session runs from the member's last heartbeat, which may have been up
 * to one heartbeat interval before the kill.
 */
function c3HeartbeatSlack(): number {
  return Math.floor(SESSION_MS / 3) + 100;
}
