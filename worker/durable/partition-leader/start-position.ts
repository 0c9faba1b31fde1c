/**
 * @module
 * Where a read starts: `earliest`, `latest`, an offset (checked against the
 * log's bounds) or a timestamp (Kafka's offsets-for-times, across cold
 * segments in R2 and the batches in SQLite).
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { ColdStore } from "./cold-store.ts";
import type { LogStore } from "./log-store.ts";
import type { StartPosition } from "./rpc.ts";
import { firstAtOrAfter } from "./slice.ts";

/** The offset a read from `from` starts at, or why there is none. */
export async function resolveStart(log: LogStore, cold: ColdStore | null, from: StartPosition): Promise<number | Failure> {
  const gone = refuseIfDropped(log);
  if (gone) return gone;
  const { logStartOffset, highWatermark } = log.state;
  if (from === "earliest") return logStartOffset;
  if (from === "latest") return highWatermark;
  if (typeof from === "object") return offsetForTimestamp(log, cold, from.timestamp);
  if (from < logStartOffset || from > highWatermark) return outOfRange(log, from);
  return from;
}

/** The first offset whose timestamp is at or after `timestamp`; cold segments first (they are the oldest). */
async function offsetForTimestamp(log: LogStore, cold: ColdStore | null, timestamp: number): Promise<number> {
  if (cold && log.segments.coldEnd > log.state.logStartOffset) {
    for (const seg of log.segments.coldByTime(timestamp)) {
      const text = await cold.get(seg.r2_key!);
      const found = text === null ? null : firstAtOrAfter({ ...seg, records: text }, timestamp, log.state.logStartOffset);
      if (found !== null) return found;
    }
  }
  return log.offsetForTimestamp(timestamp);
}

export function outOfRange(log: LogStore, offset: number): Failure {
  const { logStartOffset, highWatermark } = log.state;
  return failure("OFFSET_OUT_OF_RANGE", `offset ${offset} is outside [${logStartOffset}, ${highWatermark}]`, {
    logStartOffset,
    highWatermark,
  });
}

/** A partition whose topic was deleted answers every call the same way. */
export function refuseIfDropped(log: LogStore): Failure | null {
  if (log.state.status === "active") return null;
  return failure("UNKNOWN_TOPIC_OR_PARTITION", "this partition's topic was deleted");
}
