/**
 * @module
 * Sticky assignment on the real bus: a join or a leave moves the fewest
 * partitions, and members keep the partitions they are not losing right
 * through the rebalance. Members here speak the protocol by hand with long
 * sessions, so the only changes are the ones the test makes.
 */

import { expect, inject, it } from "vitest";
import type { GroupAssignor, JoinGroupResponse } from "../../src/protocol/types.ts";
import { call, createTopic, uniqueTopic } from "../support/api.ts";
import { describeGroup } from "../support/group-consumer.ts";

const url = inject("busUrl");

class Members {
  readonly generations = new Map<string, number>();
  readonly group: string;
  readonly topic: string;
  readonly assignor: GroupAssignor;

  constructor(group: string, topic: string, assignor: GroupAssignor) {
    this.group = group;
    this.topic = topic;
    this.assignor = assignor;
  }

  /** A new member (member ids start with the client id, so it sets their order), or a rejoin. */
  async join(who: { clientId?: string; memberId?: string } = {}): Promise<JoinGroupResponse> {
    const body = { topics: [this.topic], assignor: this.assignor, sessionTimeoutMs: 60_000, ...who };
    const res = await call<JoinGroupResponse>(url, "POST", `/v1/groups/${this.group}/members`, body);
    if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`);
    this.generations.set(res.body.memberId, res.body.generation);
    return res.body;
  }

  async leave(memberId: string): Promise<void> {
    expect((await call(url, "DELETE", `/v1/groups/${this.group}/members/${memberId}`)).status).toBe(204);
    this.generations.delete(memberId);
  }

  /** Heartbeats everyone, rejoining whoever is told to, until a whole round is quiet; answers each partition's owner. */
  async settle(): Promise<Map<number, string>> {
    for (let round = 0; round < 10; round++) {
      let quiet = true;
      for (const [memberId, generation] of this.generations) {
        const hb = await call(url, "POST", `/v1/groups/${this.group}/members/${memberId}/heartbeat`, { generation });
        if (hb.status === 200) continue;
        quiet = false;
        await this.join({ memberId });
      }
      if (quiet) return this.owners();
    }
    throw new Error("the group did not settle");
  }

  async owners(): Promise<Map<number, string>> {
    const d = await describeGroup(url, this.group);
    return new Map(d.members.flatMap((m) => m.assignment.flatMap((a) => a.partitions.map((p): [number, string] => [p, m.memberId]))));
  }
}

function moved(before: Map<number, string>, after: Map<number, string>): number {
  return [...after].filter(([p, owner]) => before.get(p) !== owner).length;
}

async function group(assignor: GroupAssignor, partitions: number): Promise<Members> {
  const topic = uniqueTopic(`grp-${assignor}`);
  await createTopic(url, topic, { partitions });
  return new Members(uniqueTopic(assignor), topic, assignor);
}

it("moves only the newcomer's share on a join, and only the leaver's partitions on a leave", async () => {
  const g = await group("sticky", 6);
  for (let i = 0; i < 3; i++) await g.join();
  const three = await g.settle();
  expect(new Set(three.values()).size).toBe(3);

  const newcomer = await g.join();
  // Nobody has lost anything yet: the newcomer waits for its share to be let go.
  expect(await g.owners()).toEqual(three);
  expect(newcomer.assignment).toEqual([]);
  expect(newcomer.pending.flatMap((p) => p.partitions)).toHaveLength(1);
  const four = await g.settle();
  expect(four.size).toBe(6);
  expect(moved(three, four)).toBe(1);
  expect(four.get(newcomer.pending[0]!.partitions[0]!)).toBe(newcomer.memberId);

  const leaver = [...four.values()].find((m) => [...four.values()].filter((x) => x === m).length === 2)!;
  const leaverPartitions = [...four].filter(([, m]) => m === leaver).map(([p]) => p);
  await g.leave(leaver);
  const afterLeave = await g.settle();
  expect(afterLeave.size).toBe(6);
  expect(moved(four, afterLeave)).toBe(leaverPartitions.length);
  for (const [p, owner] of four) if (owner !== leaver) expect(afterLeave.get(p)).toBe(owner);
});

it("moves fewer partitions than range on the same join", async () => {
  // Range hands out contiguous blocks in member id order: a newcomer first
  // in that order shifts everyone's block. Sticky moves one partition.
  const results: Record<string, number> = {};
  for (const assignor of ["range", "sticky"] as const) {
    const g = await group(assignor, 6);
    for (const clientId of ["b", "c", "d"]) await g.join({ clientId });
    const before = await g.settle();
    await g.join({ clientId: "a" });
    results[assignor] = moved(before, await g.settle());
  }
  expect(results).toEqual({ range: 5, sticky: 1 });
});
