/**
 * @module
 * The JSON shapes that cross the wire, shared by the worker and the client.
 * PROTOCOL.md is their prose; keep the two in step.
 */

import type { TopicConfig } from "./limits.ts";

/** Any JSON value: what `value` may carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A record as a producer sends it. Exactly one of `key`/`keyBase64` (or
 * neither: keyless) and exactly one of `value`/`valueBase64`.
 */
export interface ProduceRecord {
  key?: string | null;
  keyBase64?: string;
  value?: JsonValue;
  valueBase64?: string;
  headers?: Record<string, string>;
  /** Topic produce only: overrides the partitioner. */
  partition?: number;
  /** Milliseconds since the epoch; the leader's clock when absent. */
  timestamp?: number;
}

export interface ProduceRequest {
  records: ProduceRecord[];
}

export interface RecordOffset {
  partition: number;
  offset: number;
}

export interface ProduceResponse {
  /** One entry per record, in request order. */
  offsets: RecordOffset[];
  /** True when the leader had already appended this producer batch. */
  duplicate?: boolean;
}

/** A stored record as fetch returns it. */
export interface ConsumedRecord {
  offset: number;
  timestamp: number;
  key?: string | null;
  keyBase64?: string;
  value?: JsonValue;
  valueBase64?: string;
  headers: Record<string, string>;
}

export interface FetchResponse {
  records: ConsumedRecord[];
  /** The offset to fetch next. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface PartitionDescription {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  records: number;
  /** bytesInSqlite + bytesInR2. */
  bytes: number;
  bytesInSqlite: number;
  bytesInR2: number;
  segments: number;
}

/** The answer to DeleteRecords. */
export interface DeleteRecordsResponse {
  logStartOffset: number;
}

export interface TopicSummary {
  name: string;
  topicId: string;
  config: TopicConfig;
  createdAt: number;
}

export interface TopicDescription extends TopicSummary {
  partitions: PartitionDescription[];
}

export interface TopicList {
  topics: TopicSummary[];
}

export interface Health {
  status: "ok";
  version: string;
}

/** How a consumer group spreads partitions over its members; the group's first member chooses. */
export type GroupAssignor = "range" | "roundrobin" | "sticky";

/** Some partitions of one topic (ascending). */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** `POST /v1/groups/:group/members`: join, or rejoin with `memberId`. */
export interface JoinGroupRequest {
  topics: string[];
  memberId?: string;
  clientId?: string;
  /** 1,000–300,000; default 10,000. A rejoin without it keeps the member's. */
  sessionTimeoutMs?: number;
  assignor?: GroupAssignor;
}

export interface JoinGroupResponse {
  memberId: string;
  /** The generation this member is now in: send it with heartbeats and commits. */
  generation: number;
  assignor: GroupAssignor;
  /** The partitions this member owns now: consume these, and only these. */
  assignment: TopicPartitions[];
  /** Partitions coming to this member once their previous owner lets go; a heartbeat says when to rejoin for them. */
  pending: TopicPartitions[];
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export interface HeartbeatRequest {
  generation: number;
}

export interface HeartbeatResponse {
  generation: number;
}

/** One offset to commit: `offset` is the next record to consume (last processed + 1). */
export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string | null;
}

export interface CommitOffsetsRequest {
  memberId: string;
  generation: number;
  offsets: OffsetCommit[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  committedAt: number;
}

/** Answer of commit, read and reset of offsets. */
export interface GroupOffsets {
  offsets: CommittedOffset[];
}

export type OffsetResetTarget = "earliest" | "latest" | { timestamp: number } | { offset: number };

export interface ResetOffsetsRequest {
  topic: string;
  to: OffsetResetTarget;
  /** All of the topic's partitions when absent. */
  partitions?: number[];
}

export type GroupState = "Empty" | "Rebalancing" | "Stable";

export interface GroupMemberDescription {
  memberId: string;
  clientId: string | null;
  topics: string[];
  sessionTimeoutMs: number;
  generation: number;
  assignment: TopicPartitions[];
  pending: TopicPartitions[];
  joinedAt: number;
  lastHeartbeatAt: number;
  expiresAt: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** null: nothing committed for this partition. */
  committedOffset: number | null;
  metadata: string | null;
  logStartOffset: number;
  highWatermark: number;
  /** highWatermark − committedOffset; null when nothing is committed. */
  lag: number | null;
}

export interface GroupDescription {
  group: string;
  state: GroupState;
  generation: number;
  /** null until a member has joined. */
  assignor: GroupAssignor | null;
  members: GroupMemberDescription[];
  partitions: PartitionLag[];
  /** The sum of every partition's known lag. */
  totalLag: number;
}

export interface GroupSummary {
  group: string;
  createdAt: number;
}

export interface GroupList {
  groups: GroupSummary[];
}
