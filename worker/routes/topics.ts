/**
 * @module
 * Topic administration: create, list, describe, alter, delete. Creating or
 * altering a topic hands its config to every partition leader, which
 * enforces retention and compaction from then on.
 */

import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Failure } from "../../src/protocol/errors.ts";
import { DEFAULT_TOPIC_CONFIG } from "../../src/protocol/limits.ts";
import type { TopicDescription, TopicSummary } from "../../src/protocol/types.ts";
import { leaderConfig } from "../durable/partition-leader/leader-config.ts";
import type { PartitionStats } from "../durable/partition-leader/rpc.ts";
import { ApiError } from "../http-error.ts";
import { catalogStub, leaderStub } from "../leaders.ts";
import { jsonBody } from "../middleware/json-body/index.ts";
import { TopicCreateBody, TopicParams, TopicPatchBody } from "../schemas/topic.ts";
import { TopicDescriptionSchema, TopicSummarySchema, errors, json } from "../schemas/responses.ts";
import { forgetTopic, rememberTopic } from "../topic-cache.ts";
import { validationHook } from "../validation.ts";

export const topics = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

topics.openapi(
  createRoute({
    method: "get",
    path: "/v1/topics",
    summary: "List topics",
    responses: { 200: json(z.object({ topics: z.array(TopicSummarySchema) }), "all topics") },
  }),
  async (c) => c.json({ topics: await catalogStub(c.env).list() }, 200),
);

topics.openapi(
  createRoute({
    method: "put",
    path: "/v1/topics/{topic}",
    summary: "Create a topic",
    middleware: [jsonBody()],
    request: { params: TopicParams, body: { content: { "application/json": { schema: TopicCreateBody } } } },
    responses: {
      201: json(TopicDescriptionSchema, "created"),
      200: json(TopicDescriptionSchema, "an identical topic already exists"),
      ...errors(400, 409, 415),
    },
  }),
  async (c) => {
    const { topic: name } = c.req.valid("param");
    const config = { ...DEFAULT_TOPIC_CONFIG, ...c.req.valid("json") };
    const result = await catalogStub(c.env).create(name, config);
    if (!result.ok) throw ApiError.from(result);
    rememberTopic(result.topic);
    return c.json(await configure(c.env, result.topic), result.created ? 201 : 200);
  },
);

topics.openapi(
  createRoute({
    method: "get",
    path: "/v1/topics/{topic}",
    summary: "Describe a topic and its partitions",
    request: { params: TopicParams },
    responses: { 200: json(TopicDescriptionSchema, "the topic"), ...errors(400, 404) },
  }),
  async (c) => {
    const { topic: name } = c.req.valid("param");
    const topic = await catalogStub(c.env).get(name);
    if (!topic) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    return c.json(await describe(c.env, topic), 200);
  },
);

topics.openapi(
  createRoute({
    method: "patch",
    path: "/v1/topics/{topic}",
    summary: "Change a topic's config or add partitions",
    middleware: [jsonBody()],
    request: {
      params: TopicParams,
      body: { required: true, content: { "application/json": { schema: TopicPatchBody } } },
    },
    responses: { 200: json(TopicDescriptionSchema, "the changed topic"), ...errors(400, 404, 415) },
  }),
  async (c) => {
    const { topic: name } = c.req.valid("param");
    const result = await catalogStub(c.env).alter(name, c.req.valid("json"));
    if (!result.ok) throw ApiError.from(result);
    rememberTopic(result.topic);
    return c.json(await configure(c.env, result.topic), 200);
  },
);

topics.openapi(
  createRoute({
    method: "delete",
    path: "/v1/topics/{topic}",
    summary: "Delete a topic and all its records",
    request: { params: TopicParams },
    responses: { 204: { description: "deleted" }, ...errors(400, 404) },
  }),
  async (c) => {
    const { topic: name } = c.req.valid("param");
    forgetTopic(name);
    const result = await catalogStub(c.env).remove(name);
    if (!result.ok) throw ApiError.from(result);
    return c.body(null, 204);
  },
);

function describe(env: Env, topic: TopicSummary): Promise<TopicDescription> {
  return withPartitions(topic, (p) => leaderStub(env, topic.topicId, p).stats());
}

/** Sends every leader its config (again: an identical create or a PATCH); they answer with their stats. */
function configure(env: Env, topic: TopicSummary): Promise<TopicDescription> {
  return withPartitions(topic, (p) => leaderStub(env, topic.topicId, p).configure(leaderConfig(env, topic, p)));
}

async function withPartitions(
  topic: TopicSummary,
  call: (partition: number) => Promise<PartitionStats | Failure>,
): Promise<TopicDescription> {
  const stats = await Promise.all(Array.from({ length: topic.config.partitions }, (_, p) => call(p)));
  const partitions = stats.map((s, partition) => {
    if ("ok" in s) throw ApiError.from(s);
    return { partition, ...s };
  });
  return { ...topic, partitions };
}
