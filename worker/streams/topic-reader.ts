/**
 * @module
 * An edgelog topic partition read as a Durable Stream:
 * `/v1/stream/topics/<topic>/<partition>` answers reads (catch-up,
 * long-poll, SSE) and HEAD in JSON mode, each message being the record as
 * the fetch API renders it (`{ offset, timestamp, key, value, headers }`).
 * It is read-only: topics are written through the produce API.
 */

import { MAX_FETCH_RECORDS, MAX_WAIT_MS, isValidTopicName } from "../../src/protocol/limits.ts";
import type { TopicSummary } from "../../src/protocol/types.ts";
import { lineOffset } from "../durable/partition-leader/record-line.ts";
import type { StartPosition } from "../durable/partition-leader/rpc.ts";
import { ApiError } from "../http-error.ts";
import { leaderStub } from "../leaders.ts";
import { lookupTopic } from "../topic-cache.ts";
import { PAGE_BYTES, type Page, type PageReader } from "./page.ts";

export const TOPIC_CONTENT_TYPE = "application/json";

interface TopicPartitionRef {
  topic: TopicSummary;
  partition: number;
}

/** The topic partition a `topics/<topic>/<partition>` stream name names; 404 when it does not exist. */
export async function topicPartition(env: Env, name: string): Promise<TopicPartitionRef> {
  const m = /^topics\/([^/]+)\/(0|[1-9][0-9]{0,5})$/.exec(name);
  if (!m) throw new ApiError("NOT_FOUND", "topic partitions are read at /v1/stream/topics/<topic>/<partition>");
  const topic = isValidTopicName(m[1]!) ? await lookupTopic(env, m[1]!) : null;
  const partition = Number(m[2]);
  if (!topic || partition >= topic.config.partitions) {
    throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `no topic partition ${m[1]}/${partition}`);
  }
  return { topic, partition };
}

export function topicReader(env: Env, ref: TopicPartitionRef): PageReader {
  const leader = leaderStub(env, ref.topic.topicId, ref.partition);
  return async (from, waitMs) => {
    const position: StartPosition = from === "start" ? "earliest" : from === "now" ? "latest" : from;
    const r = await leader.read({ from: position, maxRecords: MAX_FETCH_RECORDS, maxBytes: PAGE_BYTES, waitMs: Math.min(waitMs, MAX_WAIT_MS), lines: true });
    if (!r.ok) {
      if (r.error.code !== "OFFSET_OUT_OF_RANGE" || typeof from !== "number") throw ApiError.from(r);
      if (from < (r.error.logStartOffset ?? 0)) throw new ApiError("OFFSET_GONE", `offset ${from} is below the partition's log start, ${r.error.logStartOffset}: retention removed it`);
      throw new ApiError("INVALID_REQUEST", `offset ${from} is past the partition's tail, ${r.error.highWatermark}`);
    }
    const lines = r.count > 0 ? r.records.split("\n") : [];
    const start = typeof from === "number" ? from : lines.length > 0 ? lineOffset(lines[0]!) : r.nextOffset;
    return { contentType: TOPIC_CONTENT_TYPE, rendering: "records", lines, from: start, next: r.nextOffset, tail: r.highWatermark, closed: false } satisfies Page;
  };
}

/** The partition's tail, for HEAD. */
export async function topicTail(env: Env, ref: TopicPartitionRef): Promise<number> {
  const p = await leaderStub(env, ref.topic.topicId, ref.partition).position("latest");
  if (!p.ok) throw ApiError.from(p);
  return p.highWatermark;
}
