/**
 * @module
 * Helpers for tests that drive a partition leader directly: a fresh leader
 * with a config, its housekeeping run by hand, its stats.
 */

import { env, runInDurableObject } from "cloudflare:test";
import type { PartitionLeader } from "../../worker/durable/partition-leader/index.ts";
import type { LeaderConfig } from "../../worker/durable/partition-leader/leader-config.ts";
import type { PartitionStats } from "../../worker/durable/partition-leader/rpc.ts";

export type Stub = DurableObjectStub<PartitionLeader>;

let n = 0;

/** A leader no other test uses, and a config for it: delete policy, no limits, unless `over` says otherwise. */
export function testLeader(prefix: string, over: Partial<LeaderConfig> = {}): { stub: Stub; config: LeaderConfig } {
  const name = `${prefix}-${Date.now()}-${n++}`;
  const config: LeaderConfig = {
    topicId: name,
    partition: 0,
    retentionMs: -1,
    retentionBytes: -1,
    cleanupPolicy: "delete",
    deleteRetentionMs: 86_400_000,
    coldSegmentAgeMs: -1,
    segmentBytes: 600,
    ...over,
  };
  return { stub: env.PARTITION_LEADER.getByName(name), config };
}

/**
 * Runs `rounds` rounds of the leader's housekeeping, as its alarm would.
 * (runDurableObjectAlarm only runs an alarm that is scheduled and not
 * already on its way, so it cannot tell when all work is done.)
 */
export async function fireAlarms(stub: Stub, rounds: number): Promise<void> {
  await runInDurableObject(stub, async (instance: PartitionLeader) => {
    for (let i = 0; i < rounds; i++) await instance.alarm();
  });
}

export async function stats(stub: Stub): Promise<PartitionStats> {
  const s = await stub.stats();
  if ("ok" in s) throw new Error(s.error.message);
  return s;
}
