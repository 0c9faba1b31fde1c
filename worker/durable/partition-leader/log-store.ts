/**
 * @module
 * The partition log in SQLite: append a batch with its producer state and
 * totals in one transaction, read a slice by offset, find an offset by time.
 * Synchronous by design: a Durable Object runs one of these at a time, which
 * is what keeps offsets contiguous.
 */

import type { ProducerTuple } from "./rpc.ts";
import type { ProducerRow } from "./producer-state.ts";
import { TailCache, type StoredBatch } from "./tail-cache.ts";

export interface PartitionState {
  status: "active" | "dropped";
  logStartOffset: number;
  highWatermark: number;
  recordCount: number;
  bytes: number;
  maxTimestamp: number;
}

export interface NewBatch {
  lines: string;
  count: number;
  bytes: number;
  maxTimestamp: number;
  producer?: ProducerTuple;
}

export interface Slice {
  records: string;
  count: number;
  nextOffset: number;
}

/** Record text of the newest batches kept in memory per partition. */
const TAIL_CACHE_CHARS = 4 * 1024 * 1024;

export class LogStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  #state: PartitionState;
  readonly #tail = new TailCache(TAIL_CACHE_CHARS);

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    this.#state = this.#loadState();
  }

  get state(): Readonly<PartitionState> {
    return this.#state;
  }

  producer(producerId: string): ProducerRow | null {
    const rows = this.#sql
      .exec<{ epoch: number; last_seq: number; last_base_offset: number; last_count: number }>(
        "SELECT epoch, last_seq, last_base_offset, last_count FROM producers WHERE producer_id = ?",
        producerId,
      )
      .toArray();
    const row = rows[0];
    if (!row) return null;
    return { epoch: row.epoch, lastSeq: row.last_seq, lastBaseOffset: row.last_base_offset, lastCount: row.last_count };
  }

  /** Where an earlier batch of this producer landed, if it is still stored. */
  findProducerBatch(p: ProducerTuple): { baseOffset: number; count: number } | null {
    const row = this.#sql
      .exec<{ base_offset: number; record_count: number }>(
        "SELECT base_offset, record_count FROM batches WHERE producer_id = ? AND producer_epoch = ? AND producer_seq = ?",
        p.producerId,
        p.epoch,
        p.seq,
      )
      .toArray()[0];
    return row ? { baseOffset: row.base_offset, count: row.record_count } : null;
  }

  /** Appends one batch at the high watermark; returns its base offset. */
  append(batch: NewBatch, now: number): number {
    const base = this.#state.highWatermark;
    const cumMax = Math.max(this.#state.maxTimestamp, batch.maxTimestamp);
    const p = batch.producer;
    this.#storage.transactionSync(() => {
      this.#sql.exec(
        "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        base,
        batch.count,
        batch.maxTimestamp,
        cumMax,
        batch.bytes,
        p?.producerId ?? null,
        p?.epoch ?? null,
        p?.seq ?? null,
        batch.lines,
      );
      if (p) {
        this.#sql.exec(
          `INSERT INTO producers VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
             last_base_offset = excluded.last_base_offset, last_count = excluded.last_count, updated_at = excluded.updated_at`,
          p.producerId,
          p.epoch,
          p.seq,
          base,
          batch.count,
          now,
        );
      }
      this.#sql.exec(
        "UPDATE partition_state SET high_watermark = ?, record_count = record_count + ?, bytes = bytes + ?, max_timestamp = ? WHERE id = 1",
        base + batch.count,
        batch.count,
        batch.bytes,
        cumMax,
      );
    });
    this.#tail.add({ base_offset: base, record_count: batch.count, bytes: batch.bytes, records: batch.lines });
    this.#state = {
      ...this.#state,
      highWatermark: base + batch.count,
      recordCount: this.#state.recordCount + batch.count,
      bytes: this.#state.bytes + batch.bytes,
      maxTimestamp: cumMax,
    };
    return base;
  }

  /**
   * Reads from `offset` (within [logStartOffset, highWatermark]) up to
   * `maxRecords` records and about `maxBytes` bytes; the first record is
   * returned even when it alone is larger, so a consumer never stalls.
   * Records come joined by `separator`: "," to sit inside a JSON array,
   * "\n" for live frames.
   */
  read(offset: number, maxRecords: number, maxBytes: number, separator = ","): Slice {
    if (offset >= this.#state.highWatermark) return { records: "", count: 0, nextOffset: offset };
    const rows =
      this.#tail.from(offset) ??
      this.#sql.exec<StoredBatch>(
        `SELECT base_offset, record_count, bytes, records FROM batches
         WHERE base_offset >= (SELECT coalesce(max(base_offset), 0) FROM batches WHERE base_offset <= ?)
         ORDER BY base_offset LIMIT ?`,
        offset,
        maxRecords,
      );
    const parts: string[] = [];
    let count = 0;
    let bytes = 0;
    let next = offset;
    // Pull a row only when there is room for more: each row is a whole batch.
    while (count < maxRecords && (count === 0 || bytes < maxBytes)) {
      const step = rows.next();
      if (step.done) break;
      const row = step.value;
      const skip = next - row.base_offset;
      const room = maxRecords - count;
      if (skip === 0 && row.record_count <= room && bytes + row.bytes <= maxBytes) {
        // The whole batch fits: no per-record work.
        parts.push(separator === "\n" ? row.records : row.records.replaceAll("\n", separator));
        count += row.record_count;
        bytes += row.bytes;
        next = row.base_offset + row.record_count;
        continue;
      }
      const lines = row.records.split("\n");
      for (let i = skip; i < lines.length && count < maxRecords; i++) {
        const line = lines[i]!;
        if (count > 0 && bytes + line.length > maxBytes) break;
        parts.push(line);
        count++;
        bytes += line.length;
        next = row.base_offset + i + 1;
      }
      if (next < row.base_offset + row.record_count) break;
    }
    return { records: parts.join(separator), count, nextOffset: next };
  }

  /** The first offset whose record timestamp is at or after `timestamp`. */
  offsetForTimestamp(timestamp: number): number {
    const row = this.#sql
      .exec<{ base_offset: number; records: string }>(
        "SELECT base_offset, records FROM batches WHERE cum_max_timestamp >= ? ORDER BY cum_max_timestamp, base_offset LIMIT 1",
        timestamp,
      )
      .toArray()[0];
    if (!row) return this.#state.highWatermark;
    const lines = row.records.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const offset = row.base_offset + i;
      if (offset >= this.#state.logStartOffset && recordTimestamp(lines[i]!) >= timestamp) return offset;
    }
    return row.base_offset + lines.length;
  }

  /** Removes every record and marks the partition gone (its topic was deleted). */
  drop(): void {
    this.#storage.transactionSync(() => {
      this.#sql.exec("DELETE FROM batches");
      this.#sql.exec("DELETE FROM producers");
      this.#sql.exec("UPDATE partition_state SET status = 'dropped', record_count = 0, bytes = 0 WHERE id = 1");
    });
    this.#tail.clear();
    this.#state = { ...this.#state, status: "dropped", recordCount: 0, bytes: 0 };
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
      }>("SELECT * FROM partition_state WHERE id = 1")
      .one();
    return {
      status: row.status,
      logStartOffset: row.log_start_offset,
      highWatermark: row.high_watermark,
      recordCount: row.record_count,
      bytes: row.bytes,
      maxTimestamp: row.max_timestamp,
    };
  }
}

/** Reads the timestamp out of a stored line: `{"offset":N,"timestamp":T,...`. */
function recordTimestamp(line: string): number {
  const at = line.indexOf('"timestamp":') + 12;
  return Number.parseInt(line.slice(at, line.indexOf(",", at)), 10);
}
