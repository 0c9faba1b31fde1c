// The client's consumer groups against the real bus: two Node clients in one
// group share a topic's partitions, and when one closes the other takes over
// from the committed offsets without skipping a record.
import { afterAll, describe, expect, inject, it } from "vitest";
import { createClient, type Client } from "../../src/index.ts";
import type { ConsumerRecord } from "../../src/client/consumer.ts";
import { createTopic, uniqueTopic } from "../support/api.ts";
import { describeGroup, waitFor } from "../support/group-consumer.ts";

const BUS = inject("busUrl");
const clients: Client[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

/** A group consumer on its own client, iterating in the background and keeping what it got. */
function member(topic: string, group: string, name: string) {
  const client = createClient({ url: BUS, outbox: "memory", name });
  clients.push(client);
  const consumer = client.consumer({ topic, group, from: "earliest", sessionTimeoutMs: 1_500, autoCommitIntervalMs: 300, waitMs: 500 });
  const got: ConsumerRecord[] = [];
  const done = (async () => {
    for await (const record of consumer) got.push(record);
  })();
  return { client, consumer, got, done };
}

const owned = async (url: string, group: string) => {
  const d = await describeGroup(url, group);
  return d.members.map((m) => ({ memberId: m.memberId, partitions: m.assignment.flatMap((a) => a.partitions), pending: m.pending.length }));
};

const values = (records: ConsumerRecord[]) => records.map((r) => r.value as number);

describe("client consumer groups", () => {
  it("shares partitions between members and hands them over on close without skipping", async () => {
    const topic = uniqueTopic("client-group");
    const group = uniqueTopic("g");
    await createTopic(BUS, topic, { partitions: 4 });
    const producer = createClient({ url: BUS, outbox: "memory", name: `${topic}-producer` });
    clients.push(producer);
    const send = async (from: number, to: number) => {
      const records = Array.from({ length: to - from }, (_, i) => ({ key: `k${from + i}`, value: from + i }));
      await producer.send(topic, records);
      await producer.flush();
    };

    const a = member(topic, group, `${topic}-a`);
    await send(0, 40);
    await waitFor("a to read the first records", () => a.got.length === 40);
    const b = member(topic, group, `${topic}-b`);

    // Both own a disjoint share that covers the topic, nothing pending.
    await waitFor("a balanced group", async () => {
      const members = await owned(BUS, group);
      return members.length === 2 && members.every((m) => m.partitions.length === 2 && m.pending === 0);
    });
    const shares = (await owned(BUS, group)).map((m) => m.partitions);
    expect(shares.flat().sort()).toEqual([0, 1, 2, 3]);

    await send(40, 120);
    await waitFor("every record processed", () => new Set([...values(a.got), ...values(b.got)]).size === 120);
    const sinceBJoined = [...a.got.slice(40), ...b.got];
    // Each member read only partitions it owned once the group was balanced.
    const partitionsOf = (records: ConsumerRecord[]) => new Set(records.map((r) => r.partition));
    const aLate = partitionsOf(a.got.slice(40));
    const bAll = partitionsOf(b.got);
    expect([...aLate].filter((p) => bAll.has(p))).toEqual([]);
    expect(sinceBJoined.length, "no record processed twice").toBe(80);

    // a closes: it commits what it processed and leaves; b takes everything from the committed offsets.
    await a.consumer.close();
    await a.done;
    await waitFor("b to own every partition", async () => {
      const members = await owned(BUS, group);
      return members.length === 1 && members[0]!.partitions.length === 4;
    });
    await send(120, 200);
    await waitFor("b to process the rest", () => new Set([...values(a.got), ...values(b.got)]).size === 200);
    const all = [...values(a.got), ...values(b.got)];
    expect(new Set(all).size, "nothing skipped").toBe(200);
    expect(all.length, "nothing repeated after a clean handover").toBe(200);
    // Each partition's records came in offset order within each member.
    for (const got of [a.got, b.got]) {
      for (const p of [0, 1, 2, 3]) {
        const offsets = got.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
      }
    }

    await b.consumer.commit();
    await b.consumer.close();
    await b.done;
    const d = await describeGroup(BUS, group);
    expect(d.members).toEqual([]);
    expect(d.totalLag).toBe(0);
  });
});
