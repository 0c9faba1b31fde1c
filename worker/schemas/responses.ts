/**
 * @module
 * Response shapes, for the OpenAPI document.
 */

import { z } from "@hono/zod-openapi";
import { ERRORS } from "../../src/protocol/errors.ts";
import { TopicConfigSchema } from "./topic.ts";

export const ErrorResponse = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]),
        message: z.string(),
        retriable: z.boolean(),
      })
      .passthrough(),
  })
  .openapi("Error");

export const TopicSummarySchema = z
  .object({ name: z.string(), topicId: z.string(), config: TopicConfigSchema, createdAt: z.number().int() })
  .openapi("TopicSummary");

export const TopicDescriptionSchema = TopicSummarySchema.extend({
  partitions: z.array(
    z.object({
      partition: z.number().int(),
      logStartOffset: z.number().int(),
      highWatermark: z.number().int(),
      records: z.number().int().openapi({ description: "records stored (a compacted topic holds fewer than its offsets span)" }),
      bytes: z.number().int().openapi({ description: "bytesInSqlite + bytesInR2" }),
      bytesInSqlite: z.number().int(),
      bytesInR2: z.number().int().openapi({ description: "cold segments moved to R2" }),
      segments: z.number().int(),
    }),
  ),
}).openapi("TopicDescription");

export const DeleteRecordsResponseSchema = z
  .object({ logStartOffset: z.number().int().openapi({ description: "the partition's first offset now" }) })
  .openapi("DeleteRecordsResponse");

export const ProduceResponseSchema = z
  .object({
    offsets: z.array(z.object({ partition: z.number().int(), offset: z.number().int() })),
    duplicate: z.boolean().optional(),
  })
  .openapi("ProduceResponse");

export const FetchResponseSchema = z
  .object({
    records: z.array(
      z.object({
        offset: z.number().int(),
        timestamp: z.number().int(),
        key: z.string().nullable().optional(),
        keyBase64: z.string().optional(),
        value: z.unknown().optional(),
        valueBase64: z.string().optional(),
        headers: z.record(z.string(), z.string()),
      }),
    ),
    nextOffset: z.number().int(),
    highWatermark: z.number().int(),
    logStartOffset: z.number().int(),
  })
  .openapi("FetchResponse");

/** The error responses a route may give, for `responses:` in createRoute. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: "error", content: { "application/json": { schema: ErrorResponse } } }]),
  );
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
