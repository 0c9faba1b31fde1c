/**
 * @module
 * What a partition leader knows about its topic: who it is (cold storage keys
 * name the topic and partition) and the retention, compaction and storage
 * settings it enforces. The worker builds it from the topic's config and its
 * own vars, sends it with `configure` when a topic is created or changed, and
 * with every append, so a leader that missed a configure call converges.
 */

import { DAY_MS } from "../../../src/protocol/limits.ts";
import type { TopicSummary } from "../../../src/protocol/types.ts";

export interface LeaderConfig {
  topicId: string;
  partition: number;
  /** -1: no time limit. */
  retentionMs: number;
  /** -1: no size limit. */
  retentionBytes: number;
  cleanupPolicy: "delete" | "compact";
  /** How long a compacted topic keeps a tombstone after its segment closed. */
  deleteRetentionMs: number;
  /** Closed segments this old move to R2, when the bucket is bound; -1: never. */
  coldSegmentAgeMs: number;
  /** A segment closes once it holds this many bytes. */
  segmentBytes: number;
}

const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

/** A leader nobody configured keeps everything, like a topic with unlimited retention. */
export const UNCONFIGURED: LeaderConfig = {
  topicId: "",
  partition: 0,
  retentionMs: -1,
  retentionBytes: -1,
  cleanupPolicy: "delete",
  deleteRetentionMs: DAY_MS,
  coldSegmentAgeMs: -1,
  segmentBytes: DEFAULT_SEGMENT_BYTES,
};

/**
 * How long a configure call wins over the configs appends carry. The worker
 * caches topic metadata for 5 s (worker/topic-cache.ts); an isolate with the
 * old config may append during that time and must not turn a change back.
 */
export const CONFIG_SETTLE_MS = 10_000;

/** The leader config of one partition of `topic`, as the worker sends it. */
export function leaderConfig(env: Env, topic: TopicSummary, partition: number): LeaderConfig {
  const c = topic.config;
  return {
    topicId: topic.topicId,
    partition,
    retentionMs: c.retentionMs,
    retentionBytes: c.retentionBytes,
    cleanupPolicy: c.cleanupPolicy,
    // Topics created before the setting existed lack it.
    deleteRetentionMs: c.deleteRetentionMs ?? DAY_MS,
    coldSegmentAgeMs: wholeNumber(env.EDGELOG_COLD_SEGMENT_AGE_MS, -1),
    segmentBytes: Math.max(1, wholeNumber(env.EDGELOG_SEGMENT_BYTES, DEFAULT_SEGMENT_BYTES)),
  };
}

export function sameLeaderConfig(a: LeaderConfig, b: LeaderConfig): boolean {
  return (
    a.topicId === b.topicId &&
    a.partition === b.partition &&
    a.retentionMs === b.retentionMs &&
    a.retentionBytes === b.retentionBytes &&
    a.cleanupPolicy === b.cleanupPolicy &&
    a.deleteRetentionMs === b.deleteRetentionMs &&
    a.coldSegmentAgeMs === b.coldSegmentAgeMs &&
    a.segmentBytes === b.segmentBytes
  );
}

function wholeNumber(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= -1 ? n : fallback;
}
