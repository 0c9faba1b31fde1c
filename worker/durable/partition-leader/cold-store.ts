/**
 * @module
 * Cold segments in R2. A closed segment old enough moves to R2 as one
 * object, its records one per line, under an immutable key naming its
 * offsets (`<topicId>/<partition>/<base>-<end>.jsonl`). The object is
 * written before SQLite lets go of the batches, so a crash in between leaves
 * the segment in SQLite and the next attempt writes the same object again.
 * Reads of cold offsets fetch the object (a few recent ones stay in memory)
 * and slice it like one large batch.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { LeaderConfig } from "./leader-config.ts";
import type { LogStore } from "./log-store.ts";
import type { SegmentRow } from "./segments.ts";
import { SliceBuilder, type Slice } from "./slice.ts";

/** Record text of cold segments kept in memory per partition. */
const CACHE_CHARS = 8 * 1024 * 1024;
/** Cold segments looked up at a time while a read goes on. */
const SEGMENTS_PER_STEP = 4;

function coldKey(config: LeaderConfig, seg: { base_offset: number; end_offset: number | null }): string {
  return `${config.topicId}/${config.partition}/${seg.base_offset}-${seg.end_offset}.jsonl`;
}

export class ColdStore {
  readonly #bucket: R2Bucket;
  readonly #cache = new Map<string, Promise<string | null>>();
  #cachedChars = 0;

  constructor(bucket: R2Bucket) {
    this.#bucket = bucket;
  }

  /** The object's text; null when it does not exist (deleted by retention meanwhile). */
  get(key: string): Promise<string | null> {
    const hit = this.#cache.get(key);
    if (hit) {
      // Most recently used last.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const text = this.#bucket.get(key).then((object) => object?.text() ?? null);
    this.#cache.set(key, text);
    text.then(
      (t) => {
        if (t === null) this.#cache.delete(key);
        else this.#account(t.length);
      },
      () => this.#cache.delete(key),
    );
    return text;
  }

  async put(key: string, text: string, seg: SegmentRow): Promise<void> {
    await this.#bucket.put(key, text, {
      httpMetadata: { contentType: "application/x-ndjson" },
      customMetadata: { baseOffset: String(seg.base_offset), endOffset: String(seg.end_offset), records: String(seg.record_count) },
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#bucket.delete(keys);
    for (const key of keys) this.#cache.delete(key);
  }

  #account(chars: number): void {
    this.#cachedChars += chars;
    for (const [key, entry] of this.#cache) {
      if (this.#cachedChars <= CACHE_CHARS || this.#cache.size <= 1) break;
      this.#cache.delete(key);
      void entry.then((t) => (this.#cachedChars -= t?.length ?? 0));
    }
  }
}

/**
 * Moves the oldest closed segment to R2 if it is old enough. Returns false
 * when there was none to move.
 */
export async function offloadStep(log: LogStore, cold: ColdStore, config: LeaderConfig, now: number): Promise<boolean> {
  const seg = log.segments.nextToOffload(now - config.coldSegmentAgeMs);
  if (!seg) return false;
  const end = seg.end_offset!;
  const text = log.batches(seg.base_offset, end).map((b) => b.records).join("\n");
  const key = coldKey(config, seg);
  await cold.put(key, text, seg);
  // While the object was written, DeleteRecords may have removed the segment
  // (or a policy change let compaction rewrite it): then it stays as it is
  // and the object is garbage.
  const now2 = log.segments.closedAt(seg.base_offset);
  const unchanged = now2 !== null && now2.base_offset === seg.base_offset && now2.bytes === seg.bytes && now2.record_count === seg.record_count;
  log.change(() => {
    if (!unchanged) {
      log.segments.discard(key);
      return {};
    }
    log.segments.madeCold(seg, key);
    return { bytes: seg.bytes };
  }, unchanged ? end : 0);
  return true;
}

/**
 * Reads from `from` in cold segments and, when the read has room left at
 * the end of them, on into SQLite.
 */
export async function readCold(
  log: LogStore,
  cold: ColdStore,
  from: number,
  maxRecords: number,
  maxBytes: number,
  separator: string,
): Promise<Slice | Failure> {
  const slice = new SliceBuilder(from, maxRecords, maxBytes, separator);
  // maxRecords and maxBytes bound how many segments one read fetches.
  let more = true;
  while (more) {
    const segs = log.segments.coldFrom(slice.next, SEGMENTS_PER_STEP);
    if (segs.length === 0) break;
    for (const seg of segs) {
      more = !slice.full;
      if (!more) break;
      const text = await cold.get(seg.r2_key!);
      if (text === null) return failure("UNAVAILABLE", `the cold segment holding offset ${slice.next} could not be read`);
      more = slice.add({ base_offset: seg.base_offset, end_offset: seg.end_offset, record_count: seg.record_count, bytes: seg.bytes, records: text });
      if (!more) break;
    }
  }
  if (more && slice.next >= log.segments.coldEnd) log.readInto(slice, maxRecords);
  return slice.finish();
}
