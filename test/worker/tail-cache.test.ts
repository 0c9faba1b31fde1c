import { describe, expect, it } from "vitest";
import { TailCache, type StoredBatch } from "../../worker/durable/partition-leader/tail-cache.ts";

const batch = (base: number, count: number, chars: number): StoredBatch => ({
  base_offset: base,
  record_count: count,
  bytes: chars,
  records: "x".repeat(chars),
});

describe("TailCache", () => {
  it("finds the batch holding an offset and everything after it", () => {
    const cache = new TailCache(1_000);
    [batch(0, 3, 10), batch(3, 1, 10), batch(4, 4, 10)].forEach((b) => cache.add(b));
    expect([...(cache.from(0) as IterableIterator<StoredBatch>)].map((b) => b.base_offset)).toEqual([0, 3, 4]);
    expect([...(cache.from(2) as IterableIterator<StoredBatch>)].map((b) => b.base_offset)).toEqual([0, 3, 4]);
    expect([...(cache.from(5) as IterableIterator<StoredBatch>)].map((b) => b.base_offset)).toEqual([4]);
  });

  it("drops the oldest batches past its budget, keeping a contiguous tail", () => {
    const cache = new TailCache(25);
    [batch(0, 1, 10), batch(1, 1, 10), batch(2, 1, 10)].forEach((b) => cache.add(b));
    expect(cache.from(0)).toBeNull();
    expect([...(cache.from(1) as IterableIterator<StoredBatch>)].map((b) => b.base_offset)).toEqual([1, 2]);
  });

  it("keeps one batch even when it alone is over budget", () => {
    const cache = new TailCache(5);
    cache.add(batch(0, 1, 50));
    expect(cache.from(0)).not.toBeNull();
    cache.clear();
    expect(cache.from(0)).toBeNull();
  });
});
