/**
 * @module
 * What the leader's alarm does: a bounded round of housekeeping, and when
 * the next round is due. Each step re-reads the state it works on, so a
 * round that runs twice (alarms are at-least-once) or after a crash
 * redoes nothing harmful:
 *
 * - R2 objects of deleted segments are deleted (garbage);
 * - retention (`cleanupPolicy: "delete"`) deletes the oldest segments whose
 *   newest record is older than `retentionMs`, or while the rest still holds
 *   `retentionBytes`, and segments wholly below the log start (DeleteRecords);
 *   the open segment closes once it is `retentionMs` old and expired, or
 *   once it is a week old whatever the policy;
 * - compaction indexes the keys appended since the last round, then
 *   rewrites a few dirty segments;
 * - idle producers whose data is gone are forgotten;
 * - closed segments old enough move to R2.
 */

import type { ColdStore } from "./cold-store.ts";
import { offloadStep } from "./cold-store.ts";
import { compactSegment, indexStep } from "./compaction.ts";
import type { LeaderConfig } from "./leader-config.ts";
import type { LogStore } from "./log-store.ts";

/** Segments one round deletes at most. */
export const RETENTION_SEGMENTS_PER_ROUND = 16;
/**
 * Segments one round compacts. A count, not a time budget: the clock does
 * not advance while a Durable Object computes without I/O.
 */
const COMPACTIONS_PER_ROUND = 2;
const OFFLOADS_PER_ROUND = 2;
const GARBAGE_PER_ROUND = 100;
/** Kafka's default producer id expiration, for topics without a time limit. */
const PRODUCER_IDLE_MS = 7 * 86_400_000;
/** Kafka's segment.ms default: an open segment closes this old, so a quiet partition's last segment is compacted or moved too. */
const SEGMENT_ROLL_MS = 7 * 86_400_000;
/** After an R2 failure, the next attempt. */
const RETRY_MS = 30_000;

export interface Maintained {
  log: LogStore;
  config: LeaderConfig;
  cold: ColdStore | null;
}

/** One bounded round of housekeeping at `now`. Returns when the next round is due (null: none). */
export async function maintain(m: Maintained, now: number): Promise<number | null> {
  let retryAt: number | null = null;
  try {
    await collectGarbage(m);
  } catch (err) {
    console.error("deleting cold segments from R2 failed", err);
    retryAt = now + RETRY_MS;
  }
  if (m.log.state.status !== "active") return retryAt ?? (m.log.segments.hasGarbage() ? now : null);
  retention(m, now);
  compaction(m, now);
  m.log.producers.expire(m.log.state.logStartOffset, now - producerIdleMs(m.config));
  try {
    await offload(m, now);
  } catch (err) {
    console.error("moving a segment to R2 failed", err);
    retryAt = now + RETRY_MS;
  }
  const next = nextDue(m, Date.now());
  return retryAt === null ? next : Math.max(retryAt, next ?? retryAt);
}

/** When housekeeping next has something to do; null when nothing will without new appends or config. */
export function nextDue(m: Maintained, now: number): number | null {
  const { log, config } = m;
  const due: (number | null)[] = [];
  if (m.cold && log.segments.hasGarbage()) due.push(now);
  if (log.state.status !== "active") return earliest(due);
  due.push(retentionDue(m, now));
  if (config.cleanupPolicy === "compact") {
    const indexed = log.state.keysCursor === null || log.state.keysCursor >= log.state.highWatermark;
    due.push(indexed ? log.compactionQueue.compactionDue(now, config.deleteRetentionMs) : now);
  } else if (coldEnabled(m)) {
    due.push(log.segments.offloadDue(config.coldSegmentAgeMs));
  }
  due.push(rollDue(m));
  const producerDue = log.producers.expiryDue(log.state.logStartOffset);
  if (producerDue !== null) due.push(producerDue + producerIdleMs(config));
  return earliest(due);
}

/**
 * The stored bytes (SQLite and R2) at which size retention next has work:
 * the limit plus the oldest closed segment. Appends grow the open segment
 * without any segment closing, so the leader compares after each one.
 */
export function sizeTrigger(m: Maintained): number {
  const { log, config } = m;
  if (config.cleanupPolicy !== "delete" || config.retentionBytes < 0) return Infinity;
  const oldest = log.segments.oldest(2).find((s) => s.state !== "open");
  return oldest ? config.retentionBytes + oldest.bytes : Infinity;
}

function retention(m: Maintained, now: number): void {
  const { log } = m;
  // The open segment is deleted only once it has been open for the
  // retention time too (Kafka rolls it by age first): records written just
  // now with old timestamps stay readable for a while.
  const roll = rollDue(m);
  if (openExpired(m, now) || (roll !== null && roll <= now)) log.closeOpenSegment(now);
  const first = log.segments.first();
  if (!first) return;
  const upTo = retentionPoint(m, now);
  const firstEnd = first.state === "open" ? log.state.highWatermark : first.end_offset!;
  if (upTo > log.state.logStartOffset || firstEnd <= log.state.logStartOffset) log.deleteBelow(upTo, RETENTION_SEGMENTS_PER_ROUND);
}

/** The offset below which whole segments go now: the log start, or the end of the expired or oversized oldest closed segments. */
function retentionPoint(m: Maintained, now: number): number {
  const { log, config } = m;
  const { logStartOffset, highWatermark } = log.state;
  const deleting = config.cleanupPolicy === "delete";
  let total = log.state.bytes + log.segments.coldBytes;
  let upTo = logStartOffset;
  for (const s of log.segments.oldest(RETENTION_SEGMENTS_PER_ROUND)) {
    const end = s.state === "open" ? highWatermark : s.end_offset!;
    const closed = s.state !== "open";
    const expired = deleting && closed && config.retentionMs >= 0 && now - s.max_timestamp > config.retentionMs;
    const oversized = deleting && closed && config.retentionBytes >= 0 && total - s.bytes >= config.retentionBytes;
    if (end > logStartOffset && !expired && !oversized) break;
    upTo = Math.max(upTo, end);
    total -= s.bytes;
  }
  return upTo;
}

function openExpired(m: Maintained, now: number): boolean {
  const { config } = m;
  const open = m.log.segments.open;
  if (config.cleanupPolicy !== "delete" || config.retentionMs < 0 || !open || open.batches === 0) return false;
  return now - open.openedAt >= config.retentionMs && now - open.maxTimestamp > config.retentionMs;
}

/** When the open segment closes by age: only where a closed segment has something to gain (compaction, cold storage). */
function rollDue(m: Maintained): number | null {
  const open = m.log.segments.open;
  if (!open || open.batches === 0 || !(m.config.cleanupPolicy === "compact" || coldEnabled(m))) return null;
  return open.openedAt + SEGMENT_ROLL_MS;
}

function coldEnabled(m: Maintained): boolean {
  return m.cold !== null && m.config.cleanupPolicy === "delete" && m.config.coldSegmentAgeMs >= 0 && m.config.topicId !== "";
}

function retentionDue(m: Maintained, now: number): number | null {
  const { log, config } = m;
  const first = log.segments.first();
  if (!first) return null;
  const firstEnd = first.state === "open" ? log.state.highWatermark : first.end_offset!;
  if (retentionPoint(m, now) > log.state.logStartOffset || firstEnd <= log.state.logStartOffset || openExpired(m, now)) return now;
  if (config.cleanupPolicy !== "delete" || config.retentionMs < 0) return null;
  const expires = first.max_timestamp + config.retentionMs + 1;
  return first.state === "open" ? Math.max(expires, first.opened_at + config.retentionMs) : expires;
}

function compaction(m: Maintained, now: number): void {
  const { log, config } = m;
  if (config.cleanupPolicy !== "compact" || log.state.keysCursor === null) return;
  // One indexing step (about 4 MiB) per round; only an index that reaches
  // the high watermark says which record is the latest.
  if (!indexStep(log)) return;
  for (let i = 0; i < COMPACTIONS_PER_ROUND; i++) {
    const seg = log.compactionQueue.nextToCompact(now, config.deleteRetentionMs);
    if (!seg) return;
    compactSegment(log, seg, now, config.deleteRetentionMs);
  }
}

async function offload(m: Maintained, now: number): Promise<void> {
  const { log, config, cold } = m;
  if (!cold || !coldEnabled(m)) return;
  for (let i = 0; i < OFFLOADS_PER_ROUND; i++) {
    if (log.state.status !== "active" || !(await offloadStep(log, cold, config, now))) return;
  }
}

async function collectGarbage(m: Maintained): Promise<void> {
  if (!m.cold) return;
  const keys = m.log.segments.garbage(GARBAGE_PER_ROUND);
  if (keys.length === 0) return;
  await m.cold.delete(keys);
  m.log.segments.collected(keys);
}

function producerIdleMs(config: LeaderConfig): number {
  return config.retentionMs >= 0 ? config.retentionMs : PRODUCER_IDLE_MS;
}

function earliest(times: (number | null)[]): number | null {
  const set = times.filter((t): t is number => t !== null);
  return set.length === 0 ? null : Math.min(...set);
}
