/**
 * @module
 * Validation of produce requests, fetch queries and producer headers.
 */

import { z } from "@hono/zod-openapi";
import { BASE64_PATTERN } from "../../src/protocol/codec.ts";
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_RECORDS,
  MAX_FETCH_BYTES,
  MAX_FETCH_RECORDS,
  MAX_HEADERS_PER_RECORD,
  MAX_PARTITIONS,
  MAX_PRODUCER_ID_LENGTH,
  MAX_RECORDS_PER_REQUEST,
  MAX_WAIT_MS,
} from "../../src/protocol/limits.ts";
import { TopicName } from "./topic.ts";

const Base64 = z.string().regex(BASE64_PATTERN, "standard base64 with padding");
/** Year 275760: the largest time a JavaScript Date can hold. */
const MAX_TIMESTAMP = 8.64e15;

export const ProduceRecordSchema = z
  .object({
    key: z.string().nullable().optional(),
    keyBase64: Base64.optional(),
    // JSON.parse produced it, so it is JSON already: no deep walk here.
    value: z.unknown().optional().openapi({ description: "any JSON value; null is a tombstone" }),
    valueBase64: Base64.optional(),
    headers: z
      .record(z.string(), z.string())
      .refine((h) => Object.keys(h).length <= MAX_HEADERS_PER_RECORD, `at most ${MAX_HEADERS_PER_RECORD} headers`)
      .optional(),
    partition: z.number().int().min(0).max(MAX_PARTITIONS - 1).optional(),
    timestamp: z.number().int().min(0).max(MAX_TIMESTAMP).optional(),
  })
  .strict()
  .refine((r) => (r.value === undefined) !== (r.valueBase64 === undefined), "give exactly one of value and valueBase64")
  .refine((r) => r.key == null || r.keyBase64 === undefined, "give at most one of key and keyBase64")
  .openapi("ProduceRecord");

export const ProduceBody = z
  .object({ records: z.array(ProduceRecordSchema).min(1).max(MAX_RECORDS_PER_REQUEST) })
  .strict()
  .openapi("ProduceRequest");

export const PartitionParams = z.object({
  topic: TopicName,
  partition: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,5})$/, "a partition number")
    .transform(Number)
    .openapi({ param: { name: "partition", in: "path" }, example: "0" }),
});

const Offset = z
  .string()
  .regex(/^(earliest|latest|0|[1-9][0-9]{0,15})$/, "a non-negative integer, 'earliest' or 'latest'")
  .transform((v) => (v === "earliest" || v === "latest" ? v : Number(v)))
  .refine((v) => typeof v === "string" || Number.isSafeInteger(v), "offset too large");

const intParam = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, "a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .default(fallback);

export const FetchQuery = z
  .object({
    offset: Offset.optional(),
    timestamp: z.string().regex(/^[0-9]{1,16}$/, "milliseconds since the epoch").transform(Number).optional(),
    maxRecords: intParam(1, MAX_FETCH_RECORDS, DEFAULT_MAX_RECORDS),
    maxBytes: intParam(1, MAX_FETCH_BYTES, DEFAULT_MAX_BYTES),
    waitMs: intParam(0, MAX_WAIT_MS, 0),
  })
  .strict()
  .refine((q) => q.offset === undefined || q.timestamp === undefined, "give offset or timestamp, not both");

/** All three producer headers, or none. */
export const ProducerHeaders = z
  .object({
    "producer-id": z.string().min(1).max(MAX_PRODUCER_ID_LENGTH).optional(),
    "producer-epoch": z.string().regex(/^(0|[1-9][0-9]{0,14})$/, "a non-negative integer").transform(Number).optional(),
    "producer-seq": z.string().regex(/^(0|[1-9][0-9]{0,14})$/, "a non-negative integer").transform(Number).optional(),
  })
  .refine((h) => {
    const given = [h["producer-id"], h["producer-epoch"], h["producer-seq"]].filter((v) => v !== undefined).length;
    return given === 0 || given === 3;
  }, "send Producer-Id, Producer-Epoch and Producer-Seq together, or none of them");

/** DeleteRecords: `before` is an offset (every record below it goes) or `latest` (all of them). */
export const DeleteRecordsQuery = z
  .object({
    before: z
      .string()
      .regex(/^(latest|0|[1-9][0-9]{0,15})$/, "a non-negative integer or 'latest'")
      .transform((v) => (v === "latest" ? v : Number(v)))
      .refine((v) => v === "latest" || Number.isSafeInteger(v), "before too large")
      .openapi({ description: "delete every record below this offset; `latest`: the high watermark", example: "42" }),
  })
  .strict();
