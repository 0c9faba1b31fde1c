/**
 * @module
 * The partition log in SQLite: append a batch with its producer state and
 * totals in one transaction, read a slice by offset, find an offset by time,
 * and apply the changes retention, compaction and cold storage make, each in
 * one transaction with the totals it changes. Synchronous by design: a
 * Durable Object runs one of these at a time, which is what keeps offsets
 * contiguous. Reads here cover the offsets SQLite holds (from
 * `segments.coldEnd` on); the leader reads older ones from R2.
 */

import { CompactionQueue } from "./compaction-queue.ts";
import { KeyIndex } from "./key-index.ts";
import type { ProducerTuple } from "./rpc.ts";
import { ProducerStore } from "./producer-store.ts";
import { Segments } from "./segments.ts";
import { SliceBuilder, firstAtOrAfter, wholeLines, type Slice, type SliceSource } from "./slice.ts";
import { TailCache, type StoredBatch } from "./tail-cache.ts";

export interface PartitionState {
  status: "active" | "dropped";
  logStartOffset: number;
  highWatermark: number;
  /** Records stored (in SQLite and R2). */
  recordCount: number;
  /** Bytes stored in SQLite. */
  bytes: number;
  maxTimestamp: number;
  /** The compaction key index: null none, else the offset it has indexed up to. */
  keysCursor: number | null;
}

export interface NewBatch {
  /** Bare bodies when `stamp` is set, whole lines when it is null (batch-checks.ts). */
  lines: string;
  stamp: number | null;
  valuesOnly: boolean;
  count: number;
  bytes: number;
  maxTimestamp: number;
  producer?: ProducerTuple;
}

/** What one transaction changed in the partition's totals. */
interface Delta {
  records?: number;
  bytes?: number;
  logStartOffset?: number;
  keysCursor?: number | null;
}

/** A stored batch with where it ends (compaction keeps the end of a batch it shrank). */
type BatchRow = SliceSource & { base_offset: number; end_offset: number | null };

/** What reads select of a batch row: every member of BatchRow. */
const BATCH_COLUMNS = "base_offset, record_count, bytes, records, end_offset, stamp, values_only";

/** A stored batch without its records. */
export type BatchMeta = Omit<BatchRow, "records">;

/** Record text of the newest batches kept in memory per partition. */
const TAIL_CACHE_CHARS = 4 * 1024 * 1024;

export class LogStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  #state: PartitionState;
  readonly #tail = new TailCache(TAIL_CACHE_CHARS);
  readonly segments: Segments;
  readonly keys: KeyIndex;
  readonly compactionQueue: CompactionQueue;
  readonly producers: ProducerStore;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    this.#state = this.#loadState();
    this.segments = new Segments(this.#sql);
    this.keys = new KeyIndex(this.#sql);
    this.compactionQueue = new CompactionQueue(this.#sql);
    this.producers = new ProducerStore(this.#sql);
  }

  get state(): Readonly<PartitionState> {
    return this.#state;
  }

  /**
   * Appends one batch at the high watermark, in the open segment (rolling to
   * a new one when it is full). Returns whether a segment closed, and the
   * batch as stored (what live subscribers are sent).
   */
  append(batch: NewBatch, now: number, segmentBytes: number): { closed: boolean; stored: SliceSource } {
    const base = this.#state.highWatermark;
    const cumMax = Math.max(this.#state.maxTimestamp, batch.maxTimestamp);
    const p = batch.producer;
    let closed = false;
    this.#guard(() =>
      this.#storage.transactionSync(() => {
        closed = this.segments.roll(base, batch.bytes, segmentBytes, this.#state.maxTimestamp, now);
        this.#sql.exec(
          `INSERT INTO batches (base_offset, record_count, max_timestamp, cum_max_timestamp, bytes, producer_id, producer_epoch, producer_seq, records, stamp, values_only)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          base,
          batch.count,
          batch.maxTimestamp,
          cumMax,
          batch.bytes,
          p?.producerId ?? null,
          p?.epoch ?? null,
          p?.seq ?? null,
          batch.lines,
          batch.stamp,
          batch.valuesOnly ? 1 : 0,
        );
        if (p) this.producers.record(p, base, batch.count, now);
        this.#sql.exec(
          "UPDATE partition_state SET high_watermark = ?, record_count = record_count + ?, bytes = bytes + ?, max_timestamp = ? WHERE id = 1",
          base + batch.count,
          batch.count,
          batch.bytes,
          cumMax,
        );
      }),
    );
    this.segments.added(batch.count, batch.bytes, batch.maxTimestamp, cumMax);
    const stored = { base_offset: base, record_count: batch.count, bytes: batch.bytes, records: batch.lines, stamp: batch.stamp, values_only: batch.valuesOnly ? 1 : 0 };
    this.#tail.add(stored);
    this.#state = {
      ...this.#state,
      highWatermark: base + batch.count,
      recordCount: this.#state.recordCount + batch.count,
      bytes: this.#state.bytes + batch.bytes,
      maxTimestamp: cumMax,
    };
    return { closed, stored };
  }

  /** Reads from `offset` (at or above `segments.coldEnd`); see SliceBuilder. */
  read(offset: number, maxRecords: number, maxBytes: number, separator = ","): Slice {
    const slice = new SliceBuilder(Math.max(offset, this.#state.logStartOffset), maxRecords, maxBytes, separator);
    this.readInto(slice, maxRecords);
    return slice.finish();
  }

  /** Continues `slice` with what SQLite holds from its position on. */
  readInto(slice: SliceBuilder, maxRows: number): void {
    const offset = slice.next;
    if (offset >= this.#state.highWatermark || slice.full) return;
    const rows: Iterator<SliceSource> =
      this.#tail.from(offset) ??
      this.#sql.exec<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM batches
         WHERE base_offset >= (SELECT coalesce(max(base_offset), 0) FROM batches WHERE base_offset <= ?)
         ORDER BY base_offset LIMIT ?`,
        offset,
        maxRows + 1,
      );
    // Pull a row only when there is room for more: each row is a whole batch.
    for (let step = rows.next(); !step.done; step = rows.next()) {
      if (!slice.add(step.value) || slice.full) break;
    }
  }

  /** The first offset SQLite holds whose record timestamp is at or after `timestamp`; the high watermark if none. */
  offsetForTimestamp(timestamp: number): number {
    const rows = this.#sql.exec<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM batches WHERE cum_max_timestamp >= ?
       ORDER BY cum_max_timestamp, base_offset`,
      timestamp,
    );
    // The first row nearly always holds it; compaction may have removed
    // that record, and then a later batch does.
    for (const row of rows) {
      const found = firstAtOrAfter(row, timestamp, this.#state.logStartOffset);
      if (found !== null) return found;
    }
    return this.#state.highWatermark;
  }

  /** The batches of [base, end) in offset order, with whole lines, for compaction and cold storage. */
  batches(base: number, end: number): BatchRow[] {
    return this.#sql
      .exec<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM batches WHERE base_offset >= ? AND base_offset < ? ORDER BY base_offset`,
        base,
        end,
      )
      .toArray()
      .map(wholeLines);
  }

  /**
   * Whole batches from the one holding `offset` on, until about `maxChars`
   * of records (at least one); with whole lines, or as stored (`stored`).
   */
  batchesSince(offset: number, maxChars: number, stored = false): SliceSource[] {
    const rows: Iterator<SliceSource> =
      this.#tail.from(offset) ??
      this.#sql.exec<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM batches
         WHERE base_offset >= (SELECT coalesce(max(base_offset), 0) FROM batches WHERE base_offset <= ?)
         ORDER BY base_offset`,
        offset,
      );
    const out: SliceSource[] = [];
    let chars = 0;
    for (let step = rows.next(); !step.done && chars < maxChars; step = rows.next()) {
      out.push(stored ? step.value : wholeLines(step.value));
      chars += step.value.records.length;
    }
    return out;
  }

  /** The batches of [base, end) without their records, in offset order. */
  batchMeta(base: number, end: number): BatchMeta[] {
    return this.#sql
      .exec<BatchMeta>(
        "SELECT base_offset, record_count, bytes, end_offset FROM batches WHERE base_offset >= ? AND base_offset < ? ORDER BY base_offset",
        base,
        end,
      )
      .toArray();
  }

  /** One batch's records, as whole lines. */
  batchText(base: number): string {
    const row = this.#sql
      .exec<{ records: string; stamp: number | null; values_only: number }>("SELECT records, stamp, values_only FROM batches WHERE base_offset = ?", base)
      .one();
    return wholeLines({ base_offset: base, record_count: 0, bytes: 0, ...row }).records;
  }

  /** Inside `change`: a compacted batch with fewer lines; it keeps its base and its end. */
  rewriteBatch(row: BatchMeta, records: string, count: number, bytes: number): void {
    this.#sql.exec(
      "UPDATE batches SET records = ?, record_count = ?, bytes = ?, end_offset = ?, stamp = NULL, values_only = 0 WHERE base_offset = ?",
      records,
      count,
      bytes,
      row.end_offset ?? row.base_offset + row.record_count,
      row.base_offset,
    );
  }

  /** Inside `change`: a batch compaction emptied. */
  deleteBatch(base: number): void {
    this.#sql.exec("DELETE FROM batches WHERE base_offset = ?", base);
  }

  /**
   * Runs `work` in one transaction together with the change of totals it
   * reports; the in-memory state follows only once it has committed.
   * `forgetBelow`: cached batches starting below this offset are stale now.
   */
  change(work: () => Delta, forgetBelow = 0): Delta {
    let delta: Delta = {};
    this.#guard(() =>
      this.#storage.transactionSync(() => {
        delta = work();
        const s = this.#state;
        const logStart = Math.max(s.logStartOffset, delta.logStartOffset ?? 0);
        const keysCursor = delta.keysCursor === undefined ? s.keysCursor : delta.keysCursor;
        this.#sql.exec(
          "UPDATE partition_state SET record_count = record_count - ?, bytes = bytes - ?, log_start_offset = ?, keys_cursor = ? WHERE id = 1",
          delta.records ?? 0,
          delta.bytes ?? 0,
          logStart,
          keysCursor,
        );
      }),
    );
    this.#state = this.#loadState();
    this.#tail.dropBelow(forgetBelow);
    return delta;
  }

  /** Moves the log start to `offset` and deletes the segments wholly below it, at most `limit`. */
  deleteBelow(offset: number, limit: number): void {
    let through = 0;
    this.change(() => {
      const removed = this.segments.removeBelow(offset, this.#state.highWatermark, limit);
      through = removed.through;
      // Deleted segments end at segment boundaries; the log start is at least the next one.
      const logStartOffset = Math.max(offset, removed.through);
      return { records: removed.records, bytes: removed.bytes, logStartOffset };
    });
    this.#tail.dropBelow(through);
  }

  /** Closes the open segment (time retention deletes only closed ones). */
  closeOpenSegment(now: number): void {
    this.change(() => {
      this.segments.closeOpen(this.#state.highWatermark, now);
      return {};
    });
  }

  /** Removes every record and marks the partition gone (its topic was deleted); cold objects become garbage. */
  drop(): void {
    this.#guard(() =>
      this.#storage.transactionSync(() => {
        this.#sql.exec("DELETE FROM batches");
        this.producers.clear();
        this.#sql.exec("DELETE FROM compaction_keys");
        this.segments.removeAll();
        this.#sql.exec("UPDATE partition_state SET status = 'dropped', record_count = 0, bytes = 0, keys_cursor = NULL WHERE id = 1");
      }),
    );
    this.#tail.clear();
    this.#state = this.#loadState();
  }

  /** A failed transaction rolled SQLite back: memory must not keep what it had half-applied. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.discardUncommitted();
      throw err;
    }
  }

  /** Forgets what memory holds beyond SQLite, after an enclosing transaction rolled back. */
  discardUncommitted(): void {
    this.#state = this.#loadState();
    this.segments.reload();
    this.#tail.clear();
  }

  #loadState(): PartitionState {
    const row = this.#sql
      .exec<{
        status: "active" | "dropped";
        log_start_offset: number;
        high_watermark: number;
        record_count: number;
        bytes: number;
        max_timestamp: number;
        keys_cursor: number | null;
      }>("SELECT * FROM partition_state WHERE id = 1")
      .one();
    return {
      status: row.status,
      logStartOffset: row.log_start_offset,
      highWatermark: row.high_watermark,
      recordCount: row.record_count,
      bytes: row.bytes,
      maxTimestamp: row.max_timestamp,
      keysCursor: row.keys_cursor,
    };
  }
}
