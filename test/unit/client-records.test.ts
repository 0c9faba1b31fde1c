import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/protocol/codec.ts";
import { partitionForKey } from "../../src/protocol/partitioner.ts";
import { EdgelogError } from "../../src/client/errors.ts";
import { decodeRecord, encodeRecord } from "../../src/client/records.ts";
import type { ProduceRecord } from "../../src/protocol/types.ts";

const NOW = 1_700_000_000_000;

function refusal(record: unknown): EdgelogError {
  try {
    encodeRecord("t", record as ProduceRecord, NOW);
  } catch (err) {
    return err as EdgelogError;
  }
  throw new Error("expected a refusal");
}

describe("encodeRecord", () => {
  it("renders the members as the bus stores them, timestamp last", () => {
    const r = encodeRecord("t", { key: "user-1", value: { a: 1 }, headers: { h: "v" } }, NOW);
    expect(r.json).toBe(`{"key":"user-1","value":{"a":1},"headers":{"h":"v"},"timestamp":${NOW}}`);
    expect(r.bytes).toBe(utf8(r.json).length);
    expect(r.bodyBytes).toBe(utf8(`"key":"user-1","value":{"a":1},"headers":{"h":"v"}`).length);
    expect(decodeRecord(r.json)).toEqual({ key: "user-1", value: { a: 1 }, headers: { h: "v" }, timestamp: NOW });
  });

  it("stamps the time of send() unless the record has one", () => {
    expect(decodeRecord(encodeRecord("t", { value: 1 }, NOW).json).timestamp).toBe(NOW);
    expect(decodeRecord(encodeRecord("t", { value: 1, timestamp: 5 }, NOW).json).timestamp).toBe(5);
  });

  it("keeps the key's hash so the partition matches the Java client's for any count", () => {
    const r = encodeRecord("t", { key: "foobar", value: null }, NOW);
    expect(r.hash! % 50).toBe(partitionForKey(utf8("foobar"), 50));
    expect(r.hash! % 7).toBe(partitionForKey(utf8("foobar"), 7));
    expect(encodeRecord("t", { value: 1 }, NOW).hash).toBeNull();
    const b64 = encodeRecord("t", { keyBase64: "Zm9vYmFy", value: 1 }, NOW);
    expect(b64.hash).toBe(r.hash);
  });

  it("counts multi-byte UTF-8 in sizes", () => {
    const r = encodeRecord("t", { value: "é😀" }, NOW);
    expect(r.bytes).toBe(utf8(r.json).length);
    expect(r.bytes).toBeGreaterThan(r.json.length);
  });

  it("keeps an explicit partition apart from the wire record", () => {
    const r = encodeRecord("t", { value: 1, partition: 2 }, NOW);
    expect(r.partition).toBe(2);
    expect(r.json).not.toContain("partition");
  });

  it.each([
    ["no value", { key: "k" }],
    ["both value forms", { value: 1, valueBase64: "AA==" }],
    ["both key forms", { key: "k", keyBase64: "AA==", value: 1 }],
    ["bad base64", { valueBase64: "not base64!" }],
    ["a non-string header", { value: 1, headers: { n: 1 } }],
    ["too many headers", { value: 1, headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, "v"])) }],
    ["an unknown field", { value: 1, offset: 3 }],
    ["a negative partition", { value: 1, partition: -1 }],
    ["a fractional timestamp", { value: 1, timestamp: 1.5 }],
    ["a value JSON cannot hold", { value: 10n }],
    ["a function value", { value: () => 1 }],
    ["a record over 1 MiB", { value: "x".repeat(1024 * 1024) }],
    ["not an object", "hello"],
  ])("refuses %s with INVALID_RECORD", (_, record) => {
    const err = refusal(record);
    expect(err).toBeInstanceOf(EdgelogError);
    expect(err.code).toBe("INVALID_RECORD");
    expect(err.retriable).toBe(false);
  });
});
