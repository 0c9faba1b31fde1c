/**
 * @module
 * The newest batches of a partition, kept in memory as they were appended.
 * Most reads are consumers following the tail; serving them from here skips
 * reading rows of up to a megabyte back out of SQLite. The cache always
 * covers a contiguous range ending at the high watermark, so a read either
 * starts inside it or goes to SQLite. When retention, compaction or cold
 * storage changes older batches, the cache lets go of them.
 */

/** A batch row as SQLite returns it (a type, not an interface, so it fits SqlStorage's row constraint). */
export type StoredBatch = {
  base_offset: number;
  record_count: number;
  bytes: number;
  records: string;
  /** See SliceSource: bare lines when set. */
  stamp?: number | null;
  values_only?: number | null;
};

export class TailCache {
  readonly #budget: number;
  #batches: StoredBatch[] = [];
  #size = 0;

  /** `budget`: characters of record text to keep, at least one batch. */
  constructor(budget: number) {
    this.#budget = budget;
  }

  add(batch: StoredBatch): void {
    this.#batches.push(batch);
    this.#size += batch.records.length;
    while (this.#size > this.#budget && this.#batches.length > 1) {
      this.#size -= this.#batches.shift()!.records.length;
    }
  }

  /** The cached batches from the one holding `offset` on, or null when `offset` is older than the cache. */
  from(offset: number): Iterator<StoredBatch> | null {
    const batches = this.#batches;
    if (batches.length === 0 || offset < batches[0]!.base_offset) return null;
    let lo = 0;
    let hi = batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (batches[mid]!.base_offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return batches.slice(lo).values();
  }

  /** Forgets the batches that start below `offset` (a segment boundary): they were deleted or rewritten. */
  dropBelow(offset: number): void {
    const keep = this.#batches.findIndex((b) => b.base_offset >= offset);
    const dropped = keep === -1 ? this.#batches : this.#batches.slice(0, keep);
    for (const b of dropped) this.#size -= b.records.length;
    this.#batches = keep === -1 ? [] : this.#batches.slice(keep);
  }

  clear(): void {
    this.#batches = [];
    this.#size = 0;
  }
}
