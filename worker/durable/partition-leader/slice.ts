/**
 * @module
 * Cuts a read out of stored batches. A batch is text, one record per line;
 * until compaction touches it, line i is offset base + i. A compacted batch
 * keeps its base and its end but holds fewer lines, so then each line's
 * offset is read from the line itself. A cold segment read back from R2 is
 * sliced the same way, as one large batch. Also: where a time falls in a
 * stored batch (timestamp seek).
 */

import { lineOffset, lineTimestamp, renderStamped, stampedLine, stampedOverhead } from "./record-line.ts";

/** A stored batch (or a whole cold segment) as the slicer needs it. */
export type SliceSource = {
  base_offset: number;
  record_count: number;
  bytes: number;
  records: string;
  /** Where the batch ends; absent or null when it was never compacted (base_offset + record_count). */
  end_offset?: number | null;
  /**
   * Set: `records` are bare bodies, all with this timestamp, at offsets
   * base_offset + i (record-line.ts). Absent or null: whole lines.
   */
  stamp?: number | null;
  /** With a stamp, 1: the lines are value members only (key null, no headers). */
  values_only?: number | null;
};

/** A source with whole lines, whatever its stored form. */
export function wholeLines<S extends SliceSource>(source: S): S {
  if (source.stamp == null) return source;
  const records = renderStamped(source.records, source.base_offset, source.stamp, source.values_only === 1, "\n");
  return { ...source, records, stamp: null, values_only: 0 };
}

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
    // Bytes as read: whole lines, whatever the stored form.
    const bytes = row.stamp != null ? row.bytes + stampedOverhead(row.record_count, row.base_offset, row.stamp, row.values_only === 1) : row.bytes;
    if (row.base_offset >= this.#next && row.record_count <= room && this.#bytes + bytes <= this.#maxBytes) {
      // The whole batch fits: no per-record work beyond what its stored form needs.
      if (row.stamp != null) this.#parts.push(renderStamped(row.records, row.base_offset, row.stamp, row.values_only === 1, this.#separator));
      else this.#parts.push(this.#separator === "\n" ? row.records : row.records.replaceAll("\n", this.#separator));
      this.#count += row.record_count;
      this.#bytes += bytes;
      this.#next = end;
      return true;
    }
    const lines = row.records.split("\n");
    const contiguous = end - row.base_offset === lines.length;
    let i = contiguous ? Math.max(0, this.#next - row.base_offset) : 0;
    for (; i < lines.length; i++) {
      const offset = contiguous ? row.base_offset + i : lineOffset(lines[i]!);
      const line = row.stamp != null ? stampedLine(lines[i]!, offset, row.stamp, row.values_only === 1) : lines[i]!;
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

/** The offset of the first record in `source` at or above `floor` with a timestamp at or after `timestamp`. */
export function firstAtOrAfter(source: SliceSource, timestamp: number, floor: number): number | null {
  if (source.stamp != null) {
    // Every record has the stamp, and offsets are contiguous.
    const first = Math.max(floor, source.base_offset);
    return source.stamp >= timestamp && first < source.base_offset + source.record_count ? first : null;
  }
  const lines = source.records.split("\n");
  const end = source.end_offset ?? source.base_offset + source.record_count;
  const contiguous = end - source.base_offset === lines.length;
  for (let i = 0; i < lines.length; i++) {
    const offset = contiguous ? source.base_offset + i : lineOffset(lines[i]!);
    if (offset >= floor && lineTimestamp(lines[i]!) >= timestamp) return offset;
  }
  return null;
}
