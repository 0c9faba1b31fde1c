/**
 * @module
 * Validation of topic names and configs (DESIGN §1).
 */

import { z } from "@hono/zod-openapi";
import { DAY_MS, MAX_PARTITIONS, MAX_REQUEST_BYTES, TOPIC_NAME_PATTERN, isValidTopicName, type TopicConfig } from "../../src/protocol/limits.ts";

export const TopicName = z
  .string()
  .regex(TOPIC_NAME_PATTERN, "1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-'")
  .refine(isValidTopicName, "'.' and '..' are not topic names")
  .openapi({ param: { name: "topic", in: "path" }, example: "page-views" });

export const TopicParams = z.object({ topic: TopicName });

/** -1 (unlimited) or a whole number from `min` to `max`. */
const limitOrUnlimited = (min: number, max: number) =>
  z.union([z.literal(-1), z.number().int().min(min).max(max)]);

const ConfigFields = {
  partitions: z.number().int().min(1).max(MAX_PARTITIONS),
  retentionMs: limitOrUnlimited(1, 100 * 365 * DAY_MS).openapi({ description: "-1 keeps records forever" }),
  retentionBytes: limitOrUnlimited(1, 2 ** 50).openapi({ description: "-1 means no size limit" }),
  cleanupPolicy: z.enum(["delete", "compact"]),
  maxMessageBytes: z.number().int().min(1).max(MAX_REQUEST_BYTES),
  deleteRetentionMs: z
    .number()
    .int()
    .min(0)
    .max(100 * 365 * DAY_MS)
    .openapi({ description: "compacted topics: how long a tombstone stays after its segment closed" }),
};

/** PUT body: every field optional, defaults fill the rest. */
export const TopicCreateBody = z.object(ConfigFields).partial().strict().openapi("TopicCreate");

/** PATCH body: at least one field. */
export const TopicPatchBody = z
  .object(ConfigFields)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, "name at least one field to change")
  .openapi("TopicPatch");

export const TopicConfigSchema = z.object(ConfigFields).openapi("TopicConfig") satisfies z.ZodType<TopicConfig>;
