import { describe, expect, it } from "vitest";
import { METADATA_CHECK_MS } from "../../worker/groups/limits.ts";
import {
  commit,
  committed,
  describeGroup,
  heartbeat,
  join,
  joined,
  leave,
  partitionsOf,
  sleep,
  uniqueGroup,
} from "./groups-support.ts";
import { createTopic, sendJson, uniqueTopic } from "./support.ts";

async function setup(partitions: number, assignor: "range" | "roundrobin" | "sticky" = "sticky") {
  const topic = uniqueTopic("gt");
  await createTopic(topic, { partitions });
  const group = uniqueGroup();
  const first = await joined(group, { topics: [topic], assignor, clientId: "first" });
  return { topic, group, first };
}

describe("joining and rebalancing", () => {
  it("gives a lone member every partition, then hands partitions to a newcomer only once their owner lets go", async () => {
    const { topic, group, first: a } = await setup(4);
    expect(a).toMatchObject({ generation: 1, assignor: "sticky", assignment: [{ topic, partitions: [0, 1, 2, 3] }], pending: [] });
    expect(a.memberId).toMatch(/^first-/);
    expect(a.heartbeatIntervalMs).toBe(Math.floor(a.sessionTimeoutMs / 3));

    const b = await joined(group, { topics: [topic] });
    expect(b.generation).toBe(2);
    // Everything b is meant to have is still a's: b waits.
    expect(b.assignment).toEqual([]);
    expect(partitionsOf(b.pending, topic)).toHaveLength(2);
    expect((await describeGroup(group)).body.state).toBe("Rebalancing");

    // a is told to rejoin; until it does, it may still commit what it owns.
    const hb = await heartbeat(group, a.memberId, 1);
    expect(hb).toMatchObject({ status: 409, body: { error: { code: "REBALANCE_IN_PROGRESS", retriable: true, generation: 2 } } });
    const giving = partitionsOf(b.pending, topic)[0]!;
    expect((await commit(group, a.memberId, 1, [{ topic, partition: giving, offset: 7 }])).status).toBe(200);

    const a2 = await joined(group, { topics: [topic], memberId: a.memberId });
    expect(a2.generation).toBe(2);
    expect(partitionsOf(a2.assignment, topic)).toHaveLength(2);
    expect(partitionsOf(a2.assignment, topic).some((p) => partitionsOf(b.pending, topic).includes(p))).toBe(false);
    // The partitions a gave up are b's now, even for a's old generation.
    const lost = await commit(group, a.memberId, 2, [{ topic, partition: giving, offset: 9 }]);
    expect(lost).toMatchObject({ status: 409, body: { error: { code: "ILLEGAL_GENERATION" } } });

    // b's heartbeat says its partitions are free; it rejoins for them.
    expect((await heartbeat(group, b.memberId, 2)).body.error.code).toBe("REBALANCE_IN_PROGRESS");
    const b2 = await joined(group, { topics: [topic], memberId: b.memberId });
    expect(b2).toMatchObject({ generation: 2, pending: [] });
    expect(b2.assignment).toEqual(b.pending);
    expect(await heartbeat(group, b.memberId, 2)).toEqual({ status: 200, body: { generation: 2 } });
    expect(await heartbeat(group, a.memberId, 2)).toEqual({ status: 200, body: { generation: 2 } });

    const described = (await describeGroup(group)).body;
    expect(described).toMatchObject({ state: "Stable", generation: 2, assignor: "sticky" });
    expect(described.members.map((m: any) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    // What a committed before letting go is where b starts.
    expect((await committed(group, topic)).body.offsets).toEqual([
      { topic, partition: giving, offset: 7, metadata: null, committedAt: expect.any(Number) },
    ]);
  });

  it("gives a leaver's partitions to the others at once", async () => {
    const { topic, group, first: a } = await setup(4);
    const b = await joined(group, { topics: [topic] });
    await joined(group, { topics: [topic], memberId: a.memberId });
    await joined(group, { topics: [topic], memberId: b.memberId });
    expect((await leave(group, a.memberId)).status).toBe(204);
    expect((await heartbeat(group, b.memberId, 2)).body.error.code).toBe("REBALANCE_IN_PROGRESS");
    const b2 = await joined(group, { topics: [topic], memberId: b.memberId });
    expect(b2).toMatchObject({ generation: 3, assignment: [{ topic, partitions: [0, 1, 2, 3] }], pending: [] });
    const again = await leave(group, a.memberId);
    expect(again).toMatchObject({ status: 409, body: { error: { code: "UNKNOWN_MEMBER_ID" } } });
  });

  it("uses the assignor the group chose, and refuses a member asking for another", async () => {
    const { topic, group, first } = await setup(6, "range");
    const other = await join(group, { topics: [topic], assignor: "roundrobin" });
    expect(other).toMatchObject({ status: 409, body: { error: { code: "INCONSISTENT_GROUP_PROTOCOL", retriable: false } } });
    const plain = await joined(group, { topics: [topic] });
    expect(plain.assignor).toBe("range");
    await joined(group, { topics: [topic], memberId: first.memberId });
    const again = await joined(group, { topics: [topic], memberId: plain.memberId });
    // Range: contiguous halves, first member id first.
    const firstInIdOrder = [first.memberId, plain.memberId].sort()[0];
    expect(partitionsOf(again.assignment, topic)).toEqual(again.memberId === firstInIdOrder ? [0, 1, 2] : [3, 4, 5]);
  });

  it("rebalances when a subscribed topic gets more partitions", async () => {
    const { topic, group, first: a } = await setup(2);
    expect(partitionsOf(a.assignment, topic)).toEqual([0, 1]);
    expect((await sendJson("PATCH", `/v1/topics/${topic}`, { partitions: 4 })).status).toBe(200);
    await sleep(METADATA_CHECK_MS + 100);
    const hb = await heartbeat(group, a.memberId, 1);
    expect(hb.body.error).toMatchObject({ code: "REBALANCE_IN_PROGRESS", generation: 2 });
    const a2 = await joined(group, { topics: [topic], memberId: a.memberId });
    expect(a2.assignment).toEqual([{ topic, partitions: [0, 1, 2, 3] }]);
  });

  it("keeps a member's session on a rejoin that does not name one", async () => {
    const topic = uniqueTopic("gt");
    await createTopic(topic);
    const group = uniqueGroup();
    const a = await joined(group, { topics: [topic], sessionTimeoutMs: 4_500 });
    expect(a).toMatchObject({ sessionTimeoutMs: 4_500, heartbeatIntervalMs: 1_500 });
    expect(await joined(group, { topics: [topic], memberId: a.memberId })).toMatchObject({ sessionTimeoutMs: 4_500 });
    expect(await joined(group, { topics: [topic], memberId: a.memberId, sessionTimeoutMs: 2_000 })).toMatchObject({ sessionTimeoutMs: 2_000 });
    expect((await joined(group, { topics: [topic] })).sessionTimeoutMs).toBe(10_000);
  });

  it("rebalances when a member changes its topics", async () => {
    const { topic, group, first: a } = await setup(2);
    const other = uniqueTopic("gt2");
    await createTopic(other, { partitions: 3 });
    const a2 = await joined(group, { topics: [topic, other], memberId: a.memberId });
    expect(a2.generation).toBe(2);
    expect(a2.assignment).toEqual([
      { topic, partitions: [0, 1] },
      { topic: other, partitions: [0, 1, 2] },
    ].sort((x, y) => (x.topic < y.topic ? -1 : 1)));
  });
});

describe("fencing", () => {
  it("refuses unknown members on every member call", async () => {
    const { topic, group } = await setup(1);
    const ghost = "member-00000000-0000-0000-0000-000000000000";
    for (const res of [
      await heartbeat(group, ghost, 1),
      await commit(group, ghost, 1, [{ topic, partition: 0, offset: 1 }]),
      await join(group, { topics: [topic], memberId: ghost }),
      await leave(group, ghost),
    ]) {
      expect(res).toMatchObject({ status: 409, body: { error: { code: "UNKNOWN_MEMBER_ID", retriable: false } } });
    }
    expect((await committed(group)).body.offsets).toEqual([]);
  });

  it("refuses a commit or heartbeat from another generation than the member's, and a commit of a partition it does not own", async () => {
    const { topic, group, first: a } = await setup(2);
    const stale = await commit(group, a.memberId, 0, [{ topic, partition: 0, offset: 1 }]);
    expect(stale).toMatchObject({ status: 409, body: { error: { code: "ILLEGAL_GENERATION", generation: 1 } } });
    const future = await heartbeat(group, a.memberId, 5);
    expect(future.body.error.code).toBe("ILLEGAL_GENERATION");
    const b = await joined(group, { topics: [topic] });
    const a2 = await joined(group, { topics: [topic], memberId: a.memberId });
    const b2 = await joined(group, { topics: [topic], memberId: b.memberId });
    const bs = partitionsOf(b2.assignment, topic)[0]!;
    const foreign = await commit(group, a.memberId, a2.generation, [
      { topic, partition: partitionsOf(a2.assignment, topic)[0]!, offset: 1 },
      { topic, partition: bs, offset: 1 },
    ]);
    expect(foreign).toMatchObject({ status: 409, body: { error: { code: "ILLEGAL_GENERATION" } } });
    // All or nothing: a's own partition was not committed either.
    expect((await committed(group)).body.offsets).toEqual([]);
    // The first generation's commit is refused now that a has rejoined.
    const old = await commit(group, a.memberId, 1, [{ topic, partition: partitionsOf(a2.assignment, topic)[0]!, offset: 1 }]);
    expect(old.body.error.code).toBe("ILLEGAL_GENERATION");
  });

  it("does not keep a member alive that heartbeats instead of rejoining", async () => {
    const { topic, group, first: a } = await setup(2);
    const a1 = await joined(group, { topics: [topic], memberId: a.memberId, sessionTimeoutMs: 1_000 });
    await joined(group, { topics: [topic] });
    const deadline = Date.now() + 1_500;
    while (Date.now() < deadline) {
      const hb = await heartbeat(group, a.memberId, a1.generation);
      if (hb.body.error.code === "UNKNOWN_MEMBER_ID") return;
      expect(hb.body.error.code).toBe("REBALANCE_IN_PROGRESS");
      await sleep(200);
    }
    throw new Error("a member that never rejoined outlived its session");
  });
});
