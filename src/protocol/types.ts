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
  bytes: number;
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
