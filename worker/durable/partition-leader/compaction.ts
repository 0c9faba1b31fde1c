/**
 * @module
 * Log compaction (`cleanupPolicy: "compact"`): the latest record of every
 * key stays, older ones go, and a tombstone (null value) goes too once its
 * segment has been closed for `deleteRetentionMs`. Offsets never change: a
 * compacted batch keeps its base and end and holds fewer lines, each with its
 * own offset.
 *
 * The key index (key-index.ts: key → latest offset) is brought up to date
 * by the alarm, not by appends: a round indexes the batches appended since
 * the last one in bulk, so a hot key costs one index write per round, not
 * one per append. Indexing marks the segments holding records it
 * supersedes as dirty; then, with the index complete up to the high
 * watermark, each compaction step rewrites one dirty closed segment in one
 * transaction, so appends never wait long and a crash loses nothing: a step
 * happened or it did not. The open segment is never compacted (as in Kafka).
 */

import { utf8Length } from "../../../src/protocol/codec.ts";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { BatchMeta, LogStore } from "./log-store.ts";
import { lineBodyStart, lineOffset, recordKey } from "./record-line.ts";
import type { SegmentRow } from "./segments.ts";

/** Record text one indexing step reads (whole batches, at least one). */
const INDEX_STEP_CHARS = 4 * 1024 * 1024;
const KEYLESS = '"key":null';

/** Refuses a batch for a compacted topic that holds a keyless record (bodies start with their key member). */
export function refuseKeyless(bodies: readonly string[]): Failure | null {
  const i = bodies.findIndex((b) => b.startsWith(KEYLESS));
  if (i === -1) return null;
  return failure(
    "INVALID_REQUEST",
    `record ${i} has no key: a compacted topic keeps the latest record of each key, so every record needs one`,
  );
}

/**
 * Indexes the keys of the batches appended since the index's cursor, about
 * INDEX_STEP_CHARS of them. Returns whether the index now reaches the high
 * watermark.
 */
export function indexStep(log: LogStore): boolean {
  const cursor = log.state.keysCursor;
  const hw = log.state.highWatermark;
  if (cursor === null || cursor >= hw) return true;
  const from = Math.max(cursor, log.segments.coldEnd);
  let end = from;
  log.change(() => {
    const latest = new Map<string, number>();
    const superseded: number[] = [];
    const tombstones: number[] = [];
    // As stored: a bare body starts with its key member, so no line needs rendering.
    const rows = log.batchesSince(from, INDEX_STEP_CHARS, true);
    for (const row of rows) {
      const rowEnd = row.end_offset ?? row.base_offset + row.record_count;
      end = Math.max(end, rowEnd);
      // Value members only: every key is null, nothing to index.
      if (row.stamp != null && row.values_only === 1) continue;
      const bare = row.stamp != null;
      const lines = row.records.split("\n");
      const contiguous = rowEnd - row.base_offset === lines.length;
      lines.forEach((line, i) => {
        const offset = contiguous ? row.base_offset + i : lineOffset(line);
        if (offset < from) return;
        const { key, tombstone } = recordKey(line, bare ? 0 : lineBodyStart(line));
        if (key === null) return;
        const earlier = latest.get(key);
        if (earlier !== undefined) superseded.push(earlier);
        latest.set(key, offset);
        if (tombstone) tombstones.push(offset);
      });
    }
    // Records the index held before, and earlier records of this step, are superseded.
    log.keys.supersede(latest);
    log.compactionQueue.markDirtyAt(superseded);
    log.compactionQueue.addTombstonesAt(tombstones);
    // Nothing stored from `from` on (only possible after a policy change): done.
    if (end <= from) end = hw;
    return { keysCursor: end };
  });
  return end >= hw;
}

/**
 * Rewrites one closed segment: a record stays only if the key index names
 * it as the latest of its key (so keyless records go too), and a latest
 * tombstone goes once past its horizon, its key with it. The index says
 * which offsets survive, so only batches that keep some but not all of
 * their records are read and cut.
 */
export function compactSegment(log: LogStore, seg: SegmentRow, now: number, deleteRetentionMs: number): void {
  const end = seg.end_offset!;
  const dropTombstones = seg.closed_at! + deleteRetentionMs <= now;
  const checkTombstones = seg.tombstones > 0;
  log.change(() => {
    const survivors = log.keys.latestIn(seg.base_offset, end);
    const expired = new Map<string, number>();
    let next = 0;
    let records = 0;
    let bytes = 0;
    let tombstones = 0;
    for (const row of log.batchMeta(seg.base_offset, end)) {
      const rowEnd = row.end_offset ?? row.base_offset + row.record_count;
      while (next < survivors.length && survivors[next]! < row.base_offset) next++;
      const first = next;
      while (next < survivors.length && survivors[next]! < rowEnd) next++;
      const kept = next - first;
      if (kept === 0) {
        log.deleteBatch(row.base_offset);
        continue;
      }
      if (kept === row.record_count && !checkTombstones) {
        records += kept;
        bytes += row.bytes;
        continue;
      }
      const keep = new Set(survivors.slice(first, next));
      const lines = log.batchText(row.base_offset).split("\n");
      const contiguous = rowEnd - row.base_offset === lines.length;
      const out: string[] = [];
      lines.forEach((line, i) => {
        const offset = contiguous ? row.base_offset + i : lineOffset(line);
        if (!keep.has(offset)) return;
        if (checkTombstones) {
          const { key, tombstone } = recordKey(line, lineBodyStart(line));
          if (tombstone && dropTombstones) {
            expired.set(key!, offset);
            return;
          }
          if (tombstone) tombstones++;
        }
        out.push(line);
      });
      records += out.length;
      bytes += rewrite(log, row, lines.length, out);
    }
    log.keys.forget(expired);
    log.compactionQueue.rewritten(seg.base_offset, records, bytes, tombstones);
    return { records: seg.record_count - records, bytes: seg.bytes - bytes };
  }, end);
}

/** Writes a batch back with only `kept` lines (deleting it when none are left); returns its size now. */
function rewrite(log: LogStore, row: BatchMeta, lines: number, kept: string[]): number {
  if (kept.length === lines) return row.bytes;
  if (kept.length === 0) {
    log.deleteBatch(row.base_offset);
    return 0;
  }
  const text = kept.join("\n");
  const bytes = utf8Length(text);
  log.rewriteBatch(row, text, kept.length, bytes);
  return bytes;
}

/** Starts or stops the key index when a topic's cleanup policy changes. */
export function applyPolicy(log: LogStore, compact: boolean): void {
  const cursor = log.state.keysCursor;
  if (compact && cursor === null) {
    log.change(() => {
      // Every segment gets a pass once the index is built: keyless records go too.
      log.compactionQueue.markAllDirty();
      return { keysCursor: log.state.logStartOffset };
    });
  } else if (!compact && cursor !== null) {
    log.change(() => {
      log.keys.clear();
      return { keysCursor: null };
    });
  }
}

export function deleteRecordsRefused(): Failure {
  return failure(
    "INVALID_REQUEST",
    "records of a compacted topic are removed by compaction; DeleteRecords needs cleanupPolicy 'delete' (as in Kafka)",
  );
}
