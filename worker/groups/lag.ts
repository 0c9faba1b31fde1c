/**
 * @module
 * A group's description with lag: the coordinator's members and committed
 * offsets, joined with each partition's high watermark from its leader.
 * Listed partitions: every partition of a topic some member subscribes to,
 * and each other partition with a committed offset.
 */

import type { GroupDescription, PartitionLag } from "../../src/protocol/types.ts";
import type { DescribeResult } from "../durable/group-coordinator/rpc.ts";
import { leaderStub } from "../leaders.ts";
import { currentOffsets, currentTopics } from "./offsets.ts";

type Described = Extract<DescribeResult, { ok: true }>;

export async function withLag(env: Env, described: Described): Promise<GroupDescription> {
  const { ok: _, offsets: stored, ...group } = described;
  const subscribed = new Set(group.members.flatMap((m) => m.topics));
  const topics = await currentTopics(env, [...subscribed, ...stored.map((o) => o.topic)]);
  const committed = new Map(currentOffsets(stored, topics).map((o) => [`${o.topic}/${o.partition}`, o]));

  const wanted: { topicId: string; topic: string; partition: number }[] = [];
  for (const topic of [...topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (let p = 0; p < topic.config.partitions; p++) {
      if (subscribed.has(topic.name) || committed.has(`${topic.name}/${p}`)) wanted.push({ topicId: topic.topicId, topic: topic.name, partition: p });
    }
  }
  const stats = await Promise.all(wanted.map((w) => leaderStub(env, w.topicId, w.partition).stats()));
  const partitions = wanted.flatMap(({ topic, partition }, i): PartitionLag[] => {
    const s = stats[i]!;
    // The topic was deleted since it was looked up: nothing to lag behind.
    if ("ok" in s) return [];
    const c = committed.get(`${topic}/${partition}`);
    return [{
      topic,
      partition,
      committedOffset: c?.offset ?? null,
      metadata: c?.metadata ?? null,
      logStartOffset: s.logStartOffset,
      highWatermark: s.highWatermark,
      lag: c ? s.highWatermark - c.offset : null,
    }];
  });
  const totalLag = partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
  return { ...group, partitions, totalLag };
}
