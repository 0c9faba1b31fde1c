/**
 * @module
 * The records every scenario sends: each value a JSON string of exactly
 * RECORD_BYTES bytes. Keyless bodies for one partition (the raw-insert floor
 * sends these same bytes); keyed bodies whose keys spread the records evenly
 * over a topic's partitions; the peers store the same value bytes.
 */

import { utf8 } from "../../src/protocol/codec.ts";
import { partitionForKey } from "../../src/protocol/partitioner.ts";

export const RECORD_BYTES = 100;

/** A JSON string literal, quotes included, of RECORD_BYTES bytes (ASCII). */
export const RECORD_VALUE = JSON.stringify("page_view /articles/edge-logs user=u-4821 session=s-93f1 ref=home ".padEnd(RECORD_BYTES - 2, "x"));

export const JSON_HEADERS = { "content-type": "application/json" };

const bodies = new Map<number, string>();

/** The keyless produce request body for `count` records, built once per size. */
export function produceBody(count: number): string {
  let body = bodies.get(count);
  if (body === undefined) {
    body = `{"records":[${Array.from({ length: count }, () => `{"value":${RECORD_VALUE}}`).join(",")}]}`;
    bodies.set(count, body);
  }
  return body;
}

/** Distinct keys a keyed body draws from per partition. */
const KEYS_PER_PARTITION = 64;

/**
 * Keyed produce bodies of `count` records for a topic of `partitions`
 * partitions: record j of the sequence goes to partition j % partitions (the
 * keys are picked by the partitioner itself), so a large batch spreads evenly
 * and one-record batches cycle through the partitions. As many bodies as it
 * takes for the cycle to close; a load worker sends them in turn.
 */
export function keyedBodies(count: number, partitions: number): string[] {
  const keys = keysByPartition(partitions);
  const variants = partitions / gcd(count, partitions);
  return Array.from({ length: variants }, (_, v) => {
    const records = Array.from({ length: count }, (_, i) => {
      const j = v * count + i;
      return `{"key":"${keys[j % partitions]![Math.floor(j / partitions) % KEYS_PER_PARTITION]}","value":${RECORD_VALUE}}`;
    });
    return `{"records":[${records.join(",")}]}`;
  });
}

function keysByPartition(partitions: number): string[][] {
  const keys = Array.from({ length: partitions }, (): string[] => []);
  for (let n = 0; keys.some((k) => k.length < KEYS_PER_PARTITION); n++) {
    const key = `user-${n}`;
    const bucket = keys[partitionForKey(utf8(key), partitions)]!;
    if (bucket.length < KEYS_PER_PARTITION) bucket.push(key);
  }
  return keys;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
