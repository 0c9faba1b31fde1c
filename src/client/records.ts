/**
 * @module
 * Checks a record in `send()` and encodes it once into its outbox form: the
 * wire JSON the bus will store, its size, and its key's hash (the partition
 * needs the topic's partition count, known only online, so it is picked at
 * sealing time from this hash). A bad record is refused here, before it can
 * reach the outbox, with the reason the bus would give.
 */

import { BASE64_PATTERN, keyBytes, utf8Length } from "../protocol/codec.ts";
import { MAX_HEADERS_PER_RECORD, MAX_PARTITIONS, MAX_REQUEST_BYTES, isValidTopicName } from "../protocol/limits.ts";
import { murmur2, toPositive } from "../protocol/murmur2.ts";
import type { ProduceRecord } from "../protocol/types.ts";
import { EdgelogError } from "./errors.ts";
import type { NewRecord } from "./outbox/types.ts";

const FIELDS = new Set(["key", "keyBase64", "value", "valueBase64", "headers", "partition", "timestamp"]);
/** Year 275760: the largest time a JavaScript Date holds; the bus's bound too. */
const MAX_TIMESTAMP = 8.64e15;
/** `{"records":[` and `]}` around a lone record. */
const ENVELOPE_BYTES = 14;

export function assertTopic(topic: string): void {
  if (typeof topic !== "string" || !isValidTopicName(topic)) {
    throw new EdgelogError("INVALID_TOPIC", `'${topic}' is not a topic name: use 1-249 of [a-zA-Z0-9._-]`);
  }
}

/**
 * The outbox form of `record`. A missing timestamp becomes `now`: the time
 * the app produced the event, not the time it reached the bus (Kafka's
 * CreateTime), which matters for a log recorded offline.
 */
export function encodeRecord(topic: string, record: ProduceRecord, now: number): NewRecord {
  const bad = (why: string): never => {
    throw new EdgelogError("INVALID_RECORD", `invalid record for '${topic}': ${why}`);
  };
  if (record === null || typeof record !== "object" || Array.isArray(record)) bad("a record is an object");
  for (const field of Object.keys(record)) if (!FIELDS.has(field)) bad(`unknown field '${field}'`);
  const { key, keyBase64, value, valueBase64, headers, partition, timestamp = now } = record;

  if ((value === undefined) === (valueBase64 === undefined)) bad("give exactly one of value and valueBase64");
  if (key !== undefined && key !== null && typeof key !== "string") bad("key must be a string or null");
  if (keyBase64 !== undefined && (typeof keyBase64 !== "string" || !BASE64_PATTERN.test(keyBase64))) {
    bad("keyBase64 must be standard base64");
  }
  if (key != null && keyBase64 !== undefined) bad("give at most one of key and keyBase64");
  if (valueBase64 !== undefined && (typeof valueBase64 !== "string" || !BASE64_PATTERN.test(valueBase64))) {
    bad("valueBase64 must be standard base64");
  }
  if (headers !== undefined) {
    if (headers === null || typeof headers !== "object" || Array.isArray(headers)) bad("headers must be an object");
    const entries = Object.entries(headers);
    if (entries.length > MAX_HEADERS_PER_RECORD) bad(`at most ${MAX_HEADERS_PER_RECORD} headers`);
    for (const [name, v] of entries) if (typeof v !== "string") bad(`header '${name}' must be a string`);
  }
  if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0 && partition < MAX_PARTITIONS)) {
    bad(`partition must be an integer in [0, ${MAX_PARTITIONS})`);
  }
  if (!(Number.isInteger(timestamp) && timestamp >= 0 && timestamp <= MAX_TIMESTAMP)) {
    bad("timestamp must be whole milliseconds since the epoch");
  }

  let valueJson: string | undefined;
  if (valueBase64 === undefined) {
    try {
      valueJson = JSON.stringify(value);
    } catch (err) {
      bad(`value is not JSON (${(err as Error).message})`);
    }
    if (valueJson === undefined) bad("value is not JSON");
  }
  // The members in the order and form the bus stores them, so `bodyBytes` is
  // what the topic's maxMessageBytes is checked against.
  const body =
    (keyBase64 !== undefined ? `"keyBase64":"${keyBase64}"` : `"key":${key == null ? "null" : JSON.stringify(key)}`) +
    (valueBase64 !== undefined ? `,"valueBase64":"${valueBase64}"` : `,"value":${valueJson}`) +
    `,"headers":${headers ? JSON.stringify(headers) : "{}"}`;
  const json = `{${body},"timestamp":${timestamp}}`;
  const bytes = utf8Length(json);
  if (bytes + ENVELOPE_BYTES > MAX_REQUEST_BYTES) bad(`larger than the ${MAX_REQUEST_BYTES}-byte request limit`);
  const keyed = keyBytes({ key: key ?? null, keyBase64 });
  const encoded: NewRecord = {
    topic,
    json,
    bytes,
    bodyBytes: bytes - (json.length - body.length),
    hash: keyed ? toPositive(murmur2(keyed)) : null,
  };
  if (partition !== undefined) encoded.partition = partition;
  return encoded;
}

/** The record back from its outbox form, for errors and dead letters. */
export function decodeRecord(json: string): ProduceRecord {
  return JSON.parse(json) as ProduceRecord;
}
