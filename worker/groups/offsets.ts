/**
 * @module
 * Committed offsets as the worker serves them: only those committed for the
 * topic that exists now under that name (a topic deleted and created again
 * starts over), and offset resets resolved against the partition leaders.
 */

import type { CommittedOffset, OffsetResetTarget, TopicSummary } from "../../src/protocol/types.ts";
import type { StoredOffset } from "../durable/group-coordinator/rpc.ts";
import type { StartPosition } from "../durable/partition-leader/rpc.ts";
import { ApiError } from "../http-error.ts";
import { leaderStub } from "../leaders.ts";
import { lookupTopic } from "../topic-cache.ts";

/** The current topic of each name in `names`; absent when there is none. */
export async function currentTopics(env: Env, names: Iterable<string>): Promise<Map<string, TopicSummary>> {
  const found = await Promise.all([...new Set(names)].map((name) => lookupTopic(env, name)));
  return new Map(found.filter((t) => t !== null).map((t) => [t.name, t]));
}

/** Drops offsets committed for an earlier topic of the same name, and the internal topic id. */
export function currentOffsets(stored: readonly StoredOffset[], topics: Map<string, TopicSummary>): CommittedOffset[] {
  return stored.filter((o) => topics.get(o.topic)?.topicId === o.topicId).map(toWire);
}

export function toWire({ topicId: _, ...offset }: StoredOffset): CommittedOffset {
  return offset;
}

/** Where each partition's committed offset goes for a reset; throws the leader's refusal (e.g. out of range). */
export async function resolveReset(
  env: Env,
  topic: TopicSummary,
  to: OffsetResetTarget,
  partitions: readonly number[],
): Promise<{ partition: number; offset: number }[]> {
  const from: StartPosition = typeof to === "string" ? to : "timestamp" in to ? { timestamp: to.timestamp } : to.offset;
  const positions = await Promise.all(partitions.map((p) => leaderStub(env, topic.topicId, p).position(from)));
  return positions.map((position, i) => {
    if (!position.ok) throw ApiError.from(position);
    return { partition: partitions[i]!, offset: position.offset };
  });
}
