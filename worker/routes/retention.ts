/**
 * @module
 * Kafka's DeleteRecords: `DELETE /v1/topics/:topic/partitions/:p/records?before=N`
 * moves the partition's log start to N; the records below it are gone for
 * readers at once, and their storage is freed segment by segment.
 */

import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import { deleteRecordsRefused } from "../durable/partition-leader/compaction.ts";
import { ApiError } from "../http-error.ts";
import { leaderStub } from "../leaders.ts";
import { DeleteRecordsQuery, PartitionParams } from "../schemas/records.ts";
import { DeleteRecordsResponseSchema, errors, json } from "../schemas/responses.ts";
import { lookupTopic } from "../topic-cache.ts";
import { validationHook } from "../validation.ts";

export const retention = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

retention.openapi(
  createRoute({
    method: "delete",
    path: "/v1/topics/{topic}/partitions/{partition}/records",
    summary: "Delete the records below an offset (Kafka's DeleteRecords)",
    description:
      "Every record below `before` is deleted and the log start moves there; `before` below the log start changes nothing. Refused for compacted topics, as in Kafka.",
    request: { params: PartitionParams, query: DeleteRecordsQuery },
    responses: { 200: json(DeleteRecordsResponseSchema, "the new log start"), ...errors(400, 404, 416) },
  }),
  async (c) => {
    const { topic: name, partition } = c.req.valid("param");
    const topic = await lookupTopic(c.env, name);
    if (!topic) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    if (partition >= topic.config.partitions) {
      throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' has no partition ${partition}`);
    }
    if (topic.config.cleanupPolicy === "compact") throw ApiError.from(deleteRecordsRefused());
    const result = await leaderStub(c.env, topic.topicId, partition).deleteRecords(c.req.valid("query").before);
    if (!result.ok) throw ApiError.from(result);
    return c.json({ logStartOffset: result.logStartOffset }, 200);
  },
);
