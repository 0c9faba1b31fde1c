/**
 * @module
 * Segments: contiguous offset ranges of batches, the unit that retention
 * deletes, compaction rewrites and cold storage moves. The newest segment is
 * open and takes appends; it closes once it holds a segment's worth of bytes
 * (or batches). Its running totals live in memory and are written when it
 * closes, so an append costs no extra statement; after a restart they are
 * summed from its batches again.
 *
 * Every write here runs inside a transaction of the caller (LogStore).
 */

/** A segment row as SQLite returns it (a type, not an interface, to fit SqlStorage's row constraint). */
export type SegmentRow = {
  base_offset: number;
  end_offset: number | null;
  state: "open" | "closed" | "cold";
  batch_count: number;
  record_count: number;
  bytes: number;
  max_timestamp: number;
  cum_max_timestamp: number;
  opened_at: number;
  closed_at: number | null;
  dirty: number;
  tombstones: number;
  r2_key: string | null;
};

interface OpenSegment {
  base: number;
  openedAt: number;
  batches: number;
  records: number;
  bytes: number;
  maxTimestamp: number;
  cumMaxTimestamp: number;
}

/** Keeps each segment's rewrite (compaction) and deletion a bounded amount of work. */
const MAX_SEGMENT_BATCHES = 2_000;

export class Segments {
  readonly #sql: SqlStorage;
  #open: OpenSegment | null = null;
  /** Offsets below this are in cold (R2) segments: the cold segments are always a prefix. */
  #coldEnd = 0;
  #coldBytes = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.reload();
  }

  get open(): Readonly<OpenSegment> | null {
    return this.#open;
  }

  get coldEnd(): number {
    return this.#coldEnd;
  }

  get coldBytes(): number {
    return this.#coldBytes;
  }

  /** Re-reads everything from SQLite (at start, and after a failed transaction). */
  reload(): void {
    const open = this.#sql
      .exec<{ base_offset: number; opened_at: number }>("SELECT base_offset, opened_at FROM segments WHERE state = 'open'")
      .toArray()[0];
    if (open) {
      const t = this.#sql
        .exec<{ n: number; r: number; b: number; m: number; c: number }>(
          `SELECT count(*) AS n, coalesce(sum(record_count), 0) AS r, coalesce(sum(bytes), 0) AS b,
             coalesce(max(max_timestamp), 0) AS m, coalesce(max(cum_max_timestamp), 0) AS c
           FROM batches WHERE base_offset >= ?`,
          open.base_offset,
        )
        .one();
      this.#open = { base: open.base_offset, openedAt: open.opened_at, batches: t.n, records: t.r, bytes: t.b, maxTimestamp: t.m, cumMaxTimestamp: t.c };
    } else {
      this.#open = null;
    }
    const cold = this.#sql
      .exec<{ e: number | null; b: number }>("SELECT max(end_offset) AS e, coalesce(sum(bytes), 0) AS b FROM segments WHERE state = 'cold'")
      .one();
    this.#coldEnd = cold.e ?? 0;
    this.#coldBytes = cold.b;
  }

  /**
   * Before a batch of `bytes` is inserted at `base`: closes the open segment
   * when the batch would overfill it, and opens one when none is open.
   * Returns whether a segment closed.
   */
  roll(base: number, bytes: number, limit: number, cumMaxBefore: number, now: number): boolean {
    const open = this.#open;
    let closed = false;
    if (open && open.batches > 0 && (open.bytes + bytes > limit || open.batches >= MAX_SEGMENT_BATCHES)) {
      this.closeOpen(base, now);
      closed = true;
    }
    if (!this.#open) {
      this.#sql.exec(
        `INSERT INTO segments (base_offset, end_offset, state, batch_count, record_count, bytes, max_timestamp, cum_max_timestamp, opened_at)
         VALUES (?, NULL, 'open', 0, 0, 0, 0, ?, ?)`,
        base,
        cumMaxBefore,
        now,
      );
      this.#open = { base, openedAt: now, batches: 0, records: 0, bytes: 0, maxTimestamp: 0, cumMaxTimestamp: cumMaxBefore };
    }
    return closed;
  }

  /** Counts a batch just inserted into the open segment. */
  added(records: number, bytes: number, maxTimestamp: number, cumMaxTimestamp: number): void {
    const open = this.#open!;
    open.batches++;
    open.records += records;
    open.bytes += bytes;
    open.maxTimestamp = Math.max(open.maxTimestamp, maxTimestamp);
    open.cumMaxTimestamp = cumMaxTimestamp;
  }

  /** Closes the open segment at `end` (the high watermark), writing its totals. */
  closeOpen(end: number, now: number): void {
    const open = this.#open;
    if (!open) return;
    this.#sql.exec(
      `UPDATE segments SET end_offset = ?, state = 'closed', batch_count = ?, record_count = ?, bytes = ?,
         max_timestamp = ?, cum_max_timestamp = ?, closed_at = ? WHERE base_offset = ?`,
      end,
      open.batches,
      open.records,
      open.bytes,
      open.maxTimestamp,
      open.cumMaxTimestamp,
      now,
      open.base,
    );
    this.#open = null;
  }

  /** The oldest segment, with the open one's totals filled in. */
  first(): SegmentRow | null {
    const row = this.#sql.exec<SegmentRow>("SELECT * FROM segments ORDER BY base_offset LIMIT 1").toArray()[0];
    return row ? this.#withOpenTotals(row) : null;
  }

  /** Segments from the oldest on, at most `limit`, the open one with its totals. */
  oldest(limit: number): SegmentRow[] {
    return this.#sql
      .exec<SegmentRow>("SELECT * FROM segments ORDER BY base_offset LIMIT ?", limit)
      .toArray()
      .map((row) => this.#withOpenTotals(row));
  }

  /** The closed (in SQLite, not open) segment holding `offset`, if any. */
  closedAt(offset: number): SegmentRow | null {
    return (
      this.#sql
        .exec<SegmentRow>(
          "SELECT * FROM segments WHERE base_offset <= ? AND state = 'closed' ORDER BY base_offset DESC LIMIT 1",
          offset,
        )
        .toArray()
        .find((s) => s.end_offset! > offset) ?? null
    );
  }

  /** Cold segments that end after `offset`, oldest first. */
  coldFrom(offset: number, limit: number): SegmentRow[] {
    return this.#sql
      .exec<SegmentRow>(
        `SELECT * FROM segments WHERE state = 'cold'
           AND base_offset >= coalesce((SELECT max(base_offset) FROM segments WHERE base_offset <= ?), 0)
         ORDER BY base_offset LIMIT ?`,
        offset,
        limit,
      )
      .toArray();
  }

  /** The first cold segments that may hold a record at or after `timestamp` (see cum_max_timestamp). */
  coldByTime(timestamp: number): SegmentRow[] {
    return this.#sql
      .exec<SegmentRow>(
        "SELECT * FROM segments WHERE cum_max_timestamp >= ? AND state = 'cold' ORDER BY cum_max_timestamp, base_offset LIMIT 8",
        timestamp,
      )
      .toArray();
  }

  /** The oldest closed segment that is old enough for cold storage, when the cold ones are still a prefix. */
  nextToOffload(closedBefore: number): SegmentRow | null {
    const row = this.#firstHot();
    return row && row.state === "closed" && row.closed_at! <= closedBefore ? row : null;
  }

  /** When the oldest closed segment in SQLite becomes old enough for cold storage. */
  offloadDue(ageMs: number): number | null {
    const row = this.#firstHot();
    return row && row.state === "closed" ? row.closed_at! + ageMs : null;
  }

  /** A segment's batches now live in R2 under `key`: SQLite lets go of them. */
  madeCold(seg: SegmentRow, key: string): void {
    this.#sql.exec("DELETE FROM batches WHERE base_offset >= ? AND base_offset < ?", seg.base_offset, seg.end_offset);
    this.#sql.exec("UPDATE segments SET state = 'cold', r2_key = ? WHERE base_offset = ?", key, seg.base_offset);
    this.#sql.exec("DELETE FROM cold_garbage WHERE r2_key = ?", key);
    this.#coldEnd = Math.max(this.#coldEnd, seg.end_offset!);
    this.#coldBytes += seg.bytes;
  }

  /** An R2 object no segment refers to (any more). */
  discard(key: string): void {
    this.#sql.exec("INSERT OR IGNORE INTO cold_garbage VALUES (?)", key);
  }

  /** R2 objects to delete, never one a cold segment refers to (again: an offload wrote the same key). */
  garbage(limit: number): string[] {
    return this.#sql
      .exec<{ r2_key: string }>(
        "SELECT r2_key FROM cold_garbage g WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.r2_key = g.r2_key) LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => r.r2_key);
  }

  hasGarbage(): boolean {
    return this.#sql.exec("SELECT 1 FROM cold_garbage LIMIT 1").toArray().length > 0;
  }

  /** The objects are deleted from R2. */
  collected(keys: string[]): void {
    for (const key of keys) this.#sql.exec("DELETE FROM cold_garbage WHERE r2_key = ?", key);
  }

  /**
   * Deletes the segments entirely below `offset` with their batches, oldest
   * first and at most `limit` of them; the open segment too when `offset`
   * reaches the high watermark `end`. Cold segments' objects go to the
   * garbage list. Returns what was removed.
   */
  removeBelow(offset: number, end: number, limit: number): Removed {
    const removed: Removed = { segments: 0, records: 0, bytes: 0, coldBytes: 0, through: -1 };
    for (const s of this.oldest(limit)) {
      const segEnd = s.state === "open" ? end : s.end_offset!;
      if (segEnd > offset || (s.state === "open" && segEnd === s.base_offset)) break;
      if (s.state === "cold") {
        this.discard(s.r2_key!);
        removed.coldBytes += s.bytes;
        this.#coldBytes -= s.bytes;
      } else {
        removed.bytes += s.bytes;
        this.#sql.exec("DELETE FROM batches WHERE base_offset >= ? AND base_offset < ?", s.base_offset, segEnd);
      }
      this.#sql.exec("DELETE FROM segments WHERE base_offset = ?", s.base_offset);
      if (s.state === "open") this.#open = null;
      removed.segments++;
      removed.records += s.record_count;
      removed.through = segEnd;
    }
    return removed;
  }

  /** Drops every segment (the topic was deleted): cold objects become garbage. */
  removeAll(): void {
    this.#sql.exec("INSERT OR IGNORE INTO cold_garbage SELECT r2_key FROM segments WHERE state = 'cold'");
    this.#sql.exec("DELETE FROM segments");
    this.#open = null;
    this.#coldEnd = 0;
    this.#coldBytes = 0;
  }

  /** Segment count and bytes by where they live, for describe. */
  totals(): { segments: number; coldBytes: number } {
    const n = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM segments").one().n;
    const emptyOpen = this.#open !== null && this.#open.batches === 0 ? 1 : 0;
    return { segments: n - emptyOpen, coldBytes: this.#coldBytes };
  }

  /** The oldest segment still in SQLite: cold segments are a prefix ending at coldEnd. */
  #firstHot(): SegmentRow | undefined {
    return this.#sql.exec<SegmentRow>("SELECT * FROM segments WHERE base_offset >= ? ORDER BY base_offset LIMIT 1", this.#coldEnd).toArray()[0];
  }

  #withOpenTotals(row: SegmentRow): SegmentRow {
    const open = this.#open;
    if (row.state !== "open" || !open) return row;
    return {
      ...row,
      batch_count: open.batches,
      record_count: open.records,
      bytes: open.bytes,
      max_timestamp: open.maxTimestamp,
      cum_max_timestamp: open.cumMaxTimestamp,
    };
  }
}

interface Removed {
  segments: number;
  records: number;
  /** SQLite bytes removed. */
  bytes: number;
  coldBytes: number;
  /** The end of the last removed segment; -1 when none was. */
  through: number;
}
