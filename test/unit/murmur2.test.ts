import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/protocol/codec.ts";
import { murmur2, toPositive } from "../../src/protocol/murmur2.ts";
import { StickyPartitioner, partitionForKey } from "../../src/protocol/partitioner.ts";

// Vectors from Apache Kafka's UtilsTest.testMurmur2 (the Java client).
const JAVA_VECTORS: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
  ["", 275646681],
];

describe("murmur2", () => {
  it.each(JAVA_VECTORS)("hashes %j as the Java client does", (key, expected) => {
    expect(murmur2(utf8(key))).toBe(expected);
  });
});

describe("partitionForKey", () => {
  // toPositive(h) % n, computed from the Java vectors above; "foobar" over 50
  // partitions is 16 in other Kafka-compatible clients too.
  it.each([
    ["foobar", 50, 16],
    ["foobar", 3, toPositive(-790332482) % 3],
    ["21", 12, toPositive(-973932308) % 12],
    ["abc", 7, 479470107 % 7],
    ["a-little-bit-long-string", 100, toPositive(-985981536) % 100],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 1024, toPositive(-58897971) % 1024],
  ] as const)("puts %j on partition %i of %i the Java way", (key, partitions, expected) => {
    expect(partitionForKey(utf8(key), partitions)).toBe(expected);
  });

  it("uses toPositive, not Math.abs, for negative hashes", () => {
    // -790332482 & 0x7fffffff = 1357151166; Math.abs would give 790332482.
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(partitionForKey(utf8("foobar"), 1_000_000_007)).toBe(1357151166 % 1_000_000_007);
  });
});

describe("StickyPartitioner", () => {
  it("moves to the next partition each batch and wraps", () => {
    const sticky = new StickyPartitioner(1);
    expect([0, 1, 2, 3].map(() => sticky.nextBatch(3))).toEqual([1, 2, 0, 1]);
  });
});
