/**
 * @module
 * Which partition a record goes to. Keyed records follow the Java client;
 * keyless records stick to one partition per batch and move on round-robin
 * (Kafka's sticky partitioner), so a batch stays one request to one leader.
 */

import { murmur2, toPositive } from "./murmur2.ts";

/** The partition of a keyed record: `toPositive(murmur2(key)) % partitions`. */
export function partitionForKey(key: Uint8Array, partitions: number): number {
  return toPositive(murmur2(key)) % partitions;
}

/**
 * Picks partitions for keyless records: the same partition for every keyless
 * record of one batch, the next one for the next batch.
 */
export class StickyPartitioner {
  #next: number;

  constructor(start = Math.floor(Math.random() * 0x7fffffff)) {
    this.#next = start;
  }

  /** The partition for the keyless records of the next batch. */
  nextBatch(partitions: number): number {
    const p = this.#next % partitions;
    this.#next = (this.#next + 1) % 0x7fffffff;
    return p;
  }
}
