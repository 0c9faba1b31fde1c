/**
 * @module
 * Cuts a read out of stored batches. A batch is text, one record per line;
 * until compaction touches it, line i is offset base + i. A compacted batch
 * keeps its base and its end but holds fewer lines, so then each line's
 * offset is read from the line itself. A cold segment read back from R2 is
 * sliced the same way, as one large batch.
 */

import { lineOffset } from "./record-line.ts";

/** A stored batch (or a whole cold segment) as the slicer needs it. */
export type SliceSource = {
  base_offset: number;
  record_count: number;
  bytes: number;
  records: string;
  /** Where the batch ends; absent or null when it was never compacted (base_offset + record_count). */
  end_offset?: number | null;
};

export interface Slice {
  records: string;
  count: number;
  nextOffset: number;
}

/** A read in progress: sources are fed in offset order until it is full. */
export class SliceBuilder {
  readonly #parts: string[] = [];
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #separator: string;
  #count = 0;
  #bytes = 0;
  #next: number;

  /**
   * Records from `from` (within the partition's bounds), up to `maxRecords`
   * and about `maxBytes`; the first record is taken even when it alone is
   * larger, so a consumer never stalls. Records are joined by `separator`:
   * "," to sit inside a JSON array, "\n" for live frames.
   */
  constructor(from: number, maxRecords: number, maxBytes: number, separator: string) {
    this.#next = from;
    this.#maxRecords = maxRecords;
    this.#maxBytes = maxBytes;
    this.#separator = separator;
  }

  get full(): boolean {
    return this.#count >= this.#maxRecords || (this.#count > 0 && this.#bytes >= this.#maxBytes);
  }

  get next(): number {
    return this.#next;
  }

  /** Takes what it can from one source; false when the read is full and must stop here. */
  add(row: SliceSource): boolean {
    if (this.full) return false;
    const end = row.end_offset ?? row.base_offset + row.record_count;
    if (end <= this.#next) return true;
    const room = this.#maxRecords - this.#count;
    if (row.base_offset >= this.#next && row.record_count <= room && this.#bytes + row.bytes <= this.#maxBytes) {
      // The whole batch fits: no per-record work.
      this.#parts.push(this.#separator === "\n" ? row.records : row.records.replaceAll("\n", this.#separator));
      this.#count += row.record_count;
      this.#bytes += row.bytes;
      this.#next = end;
      return true;
    }
    const lines = row.records.split("\n");
    const contiguous = end - row.base_offset === lines.length;
    let i = contiguous ? Math.max(0, this.#next - row.base_offset) : 0;
    for (; i < lines.length; i++) {
      const line = lines[i]!;
      const offset = contiguous ? row.base_offset + i : lineOffset(line);
      if (offset < this.#next) continue;
      if (this.#count >= this.#maxRecords || (this.#count > 0 && this.#bytes + line.length > this.#maxBytes)) return false;
      this.#parts.push(line);
      this.#count++;
      this.#bytes += line.length;
      this.#next = offset + 1;
    }
    this.#next = end;
    return true;
  }

  finish(): Slice {
    return { records: this.#parts.join(this.#separator), count: this.#count, nextOffset: this.#next };
  }
}
