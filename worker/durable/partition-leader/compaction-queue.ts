/**
 * @module
 * Which closed segments compaction has to rewrite: a segment is dirty when
 * a newer record of one of its keys exists, and holds tombstones that go
 * once their horizon passes. Kept as flags on the segment rows, with
 * partial indexes, so finding the next work never scans every segment.
 * Every write runs inside a transaction of the caller.
 */

import type { SegmentRow } from "./segments.ts";

export class CompactionQueue {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Marks the segments holding these offsets dirty: newer records of their keys exist. */
  markDirtyAt(offsets: readonly number[]): void {
    for (const base of this.#basesOf(offsets).keys()) {
      this.#sql.exec("UPDATE segments SET dirty = 1 WHERE base_offset = ?", base);
    }
  }

  /** Counts tombstones (null values) at these offsets into their segments. */
  addTombstonesAt(offsets: readonly number[]): void {
    for (const [base, count] of this.#basesOf(offsets)) {
      this.#sql.exec("UPDATE segments SET tombstones = tombstones + ? WHERE base_offset = ?", count, base);
    }
  }

  /** The segment base of each offset, with how many of the offsets it holds. */
  #basesOf(offsets: readonly number[]): Map<number, number> {
    const counts = new Map<number, number>();
    if (offsets.length === 0) return counts;
    const lowest = offsets.reduce((a, b) => Math.min(a, b));
    const bases = this.#sql
      .exec<{ b: number }>(
        "SELECT base_offset AS b FROM segments WHERE base_offset >= coalesce((SELECT max(base_offset) FROM segments WHERE base_offset <= ?), 0) ORDER BY base_offset",
        lowest,
      )
      .toArray()
      .map((r) => r.b);
    for (const offset of offsets) {
      let lo = 0;
      let hi = bases.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bases[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      const base = bases[lo];
      if (base !== undefined && base <= offset) counts.set(base, (counts.get(base) ?? 0) + 1);
    }
    return counts;
  }

  /** Every closed segment needs a compaction pass (the key index was just built). */
  markAllDirty(): void {
    this.#sql.exec("UPDATE segments SET dirty = 1");
  }

  /** The closed segment compaction should rewrite next, oldest first. */
  nextToCompact(now: number, deleteRetentionMs: number): SegmentRow | null {
    const dirty = this.#sql
      .exec<SegmentRow>("SELECT * FROM segments WHERE dirty = 1 AND state = 'closed' ORDER BY base_offset LIMIT 1")
      .toArray()[0];
    const tombstones = this.#sql
      .exec<SegmentRow>(
        "SELECT * FROM segments WHERE tombstones > 0 AND closed_at <= ? AND state = 'closed' ORDER BY base_offset LIMIT 1",
        now - deleteRetentionMs,
      )
      .toArray()[0];
    if (!dirty || !tombstones) return dirty ?? tombstones ?? null;
    return dirty.base_offset < tombstones.base_offset ? dirty : tombstones;
  }

  /** When compaction next has work: now for dirty closed segments, else the next tombstone's horizon. */
  compactionDue(now: number, deleteRetentionMs: number): number | null {
    const dirty = this.#sql.exec("SELECT 1 FROM segments WHERE dirty = 1 AND state = 'closed' LIMIT 1").toArray().length > 0;
    if (dirty) return now;
    const horizon = this.#sql
      .exec<{ t: number | null }>("SELECT min(closed_at) AS t FROM segments WHERE tombstones > 0 AND state = 'closed'")
      .one().t;
    return horizon === null ? null : horizon + deleteRetentionMs;
  }

  /** After compaction rewrote a segment. */
  rewritten(base: number, records: number, bytes: number, tombstones: number): void {
    this.#sql.exec(
      "UPDATE segments SET record_count = ?, bytes = ?, tombstones = ?, dirty = 0 WHERE base_offset = ?",
      records,
      bytes,
      tombstones,
      base,
    );
  }
}
