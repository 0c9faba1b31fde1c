/**
 * The bench's keyed bodies put the same number of records on every partition
 * of a topic, as the Java client's partitioner (edgelog's) places them.
 */

import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/protocol/codec.ts";
import { partitionForKey } from "../../src/protocol/partitioner.ts";
import { RECORD_BYTES, keyedBodies, produceBody } from "../bench/payload.ts";

function partitionCounts(bodies: string[], partitions: number): number[] {
  const counts = new Array<number>(partitions).fill(0);
  for (const body of bodies) {
    for (const r of JSON.parse(body).records as { key: string; value: string }[]) {
      expect(Buffer.byteLength(JSON.stringify(r.value))).toBe(RECORD_BYTES);
      counts[partitionForKey(utf8(r.key), partitions)]!++;
    }
  }
  return counts;
}

describe("keyedBodies", () => {
  it.each([
    [1000, 8, 1, 125],
    [100, 8, 2, 25],
    [1, 8, 8, 1],
  ])("%i records over %i partitions: %i bodies, %i records per partition", (count, partitions, bodies, each) => {
    const made = keyedBodies(count, partitions);
    expect(made).toHaveLength(bodies);
    expect(made.every((b) => JSON.parse(b).records.length === count)).toBe(true);
    expect(partitionCounts(made, partitions)).toEqual(new Array(partitions).fill(each));
  });
});

describe("produceBody", () => {
  it("holds keyless records of RECORD_BYTES-byte values", () => {
    const { records } = JSON.parse(produceBody(3));
    expect(records).toHaveLength(3);
    expect(records.every((r: { key?: string; value: string }) => r.key === undefined && Buffer.byteLength(JSON.stringify(r.value)) === RECORD_BYTES)).toBe(true);
  });
});
