/**
 * @module
 * The idempotent producers' state in SQLite: each producer's epoch and last
 * batch, recorded in the same transaction as the append it belongs to
 * (LogStore calls `record` inside its transaction), where an earlier batch
 * landed, and the expiry of producers whose data retention deleted.
 */

import type { ProducerRow } from "./producer-state.ts";
import type { ProducerTuple } from "./rpc.ts";

export class ProducerStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(producerId: string): ProducerRow | null {
    const row = this.#sql
      .exec<{ epoch: number; last_seq: number; last_base_offset: number; last_count: number }>(
        "SELECT epoch, last_seq, last_base_offset, last_count FROM producers WHERE producer_id = ?",
        producerId,
      )
      .toArray()[0];
    if (!row) return null;
    return { epoch: row.epoch, lastSeq: row.last_seq, lastBaseOffset: row.last_base_offset, lastCount: row.last_count };
  }

  /** Where an earlier batch of this producer landed, if it is still stored. */
  batchOf(p: ProducerTuple): { baseOffset: number; count: number } | null {
    const row = this.#sql
      .exec<{ base_offset: number; record_count: number; end_offset: number | null }>(
        "SELECT base_offset, record_count, end_offset FROM batches WHERE producer_id = ? AND producer_epoch = ? AND producer_seq = ?",
        p.producerId,
        p.epoch,
        p.seq,
      )
      .toArray()[0];
    if (!row) return null;
    return { baseOffset: row.base_offset, count: (row.end_offset ?? row.base_offset + row.record_count) - row.base_offset };
  }

  /** Inside the append's transaction: `p`'s batch of `count` records landed at `base`. */
  record(p: ProducerTuple, base: number, count: number, now: number): void {
    this.#sql.exec(
      `INSERT INTO producers VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
         last_base_offset = excluded.last_base_offset, last_count = excluded.last_count, updated_at = excluded.updated_at`,
      p.producerId,
      p.epoch,
      p.seq,
      base,
      count,
      now,
    );
  }

  /** Forgets producers whose last batch is below `logStartOffset` and who have been idle since `idleSince`. */
  expire(logStartOffset: number, idleSince: number): number {
    return this.#sql.exec(
      "DELETE FROM producers WHERE last_base_offset + last_count <= ? AND updated_at <= ?",
      logStartOffset,
      idleSince,
    ).rowsWritten;
  }

  /** The last activity of the longest idle producer whose data is below `logStartOffset`, if any. */
  expiryDue(logStartOffset: number): number | null {
    return this.#sql
      .exec<{ t: number | null }>("SELECT min(updated_at) AS t FROM producers WHERE last_base_offset + last_count <= ?", logStartOffset)
      .one().t;
  }

  /** Inside the drop's transaction. */
  clear(): void {
    this.#sql.exec("DELETE FROM producers");
  }
}
