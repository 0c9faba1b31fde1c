/**
 * @module
 * The hot path: produce to a topic or one partition, fetch from a partition.
 * Topic metadata comes from the isolate cache; each partition's records go
 * to its leader in one RPC, leaders in parallel.
 */

import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ERRORS, type Failure } from "../../src/protocol/errors.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { TopicSummary } from "../../src/protocol/types.ts";
import { leaderConfig } from "../durable/partition-leader/leader-config.ts";
import type { ProducerTuple, StartPosition } from "../durable/partition-leader/rpc.ts";
import { ApiError } from "../http-error.ts";
import { leaderStub } from "../leaders.ts";
import { jsonBody } from "../middleware/json-body/index.ts";
import { planBatches } from "../produce/plan.ts";
import { readProduceBody } from "../produce/read-body.ts";
import { FetchQuery, PartitionParams, ProduceBody, ProducerHeaders } from "../schemas/records.ts";
import { FetchResponseSchema, ProduceResponseSchema, errors, json } from "../schemas/responses.ts";
import { TopicParams } from "../schemas/topic.ts";
import { lookupTopic } from "../topic-cache.ts";
import { startPartitionStream, wantsEventStream } from "./live.ts";
import { validate, validationHook } from "../validation.ts";

export const records = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

const produceBody = { required: true, content: { "application/json": { schema: ProduceBody } } };

// The produce routes read their body themselves (produce/read-body.ts), so
// they are registered for the OpenAPI document and served as plain routes.
records.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/v1/topics/{topic}/records",
    summary: "Produce records to a topic, partitioned by key",
    request: { params: TopicParams, body: produceBody },
    responses: { 200: json(ProduceResponseSchema, "every record is durable"), ...errors(400, 404, 413, 415, 503) },
  }),
);

records.post("/v1/topics/:topic/records", jsonBody(), async (c) => {
  refuseProducerHeaders(c.req.raw.headers);
  const { topic: name } = validate(TopicParams, c.req.param(), "param", c);
  const topic = await requireTopic(c.env, name);
  const input = await readProduceBody(c);
  const batches = planBatches(topic, input);
  const offsets = new Array<string>(input.length);
  const results = await Promise.all(
    batches.map((b) =>
      leaderStub(c.env, topic.topicId, b.partition).append({
        bodies: b.bodies,
        timestamps: b.timestamps,
        config: leaderConfig(c.env, topic, b.partition),
      }),
    ),
  );
  const [only] = results;
  if (results.length === 1 && only!.ok) {
    // One partition (the usual case): offsets in request order already.
    return jsonText(c, `{"offsets":[${offsetEntries(batches[0]!.partition, only!.baseOffset, input.length).join(",")}]}`);
  }
  // Partitions are independent logs: one may fail while others committed.
  // Report the first failure, with the offsets of what did commit.
  let firstFailure: Failure | undefined;
  results.forEach((result, i) => {
    const { partition, positions } = batches[i]!;
    if (!result.ok) {
      firstFailure ??= result;
      return;
    }
    const entries = offsetEntries(partition, result.baseOffset, positions.length);
    positions.forEach((pos, j) => (offsets[pos] = entries[j]!));
  });
  if (firstFailure) {
    const status = ERRORS[firstFailure.error.code].status as ContentfulStatusCode;
    // An error body with partial offsets: outside the 200 schema on purpose.
    return jsonText(c, `{"error":${JSON.stringify(firstFailure.error)},"offsets":[${Array.from(offsets, (o) => o ?? "null").join(",")}]}`, status);
  }
  return jsonText(c, `{"offsets":[${offsets.join(",")}]}`);
});

records.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/v1/topics/{topic}/partitions/{partition}/records",
    summary: "Produce records to one partition, optionally as an idempotent producer",
    request: { params: PartitionParams, body: produceBody, headers: ProducerHeaders },
    responses: {
      200: json(ProduceResponseSchema, "every record is durable (or was already: duplicate)"),
      ...errors(400, 403, 404, 409, 413, 415, 503),
    },
  }),
);

records.post("/v1/topics/:topic/partitions/:partition/records", jsonBody(), async (c) => {
  const { topic: name, partition } = validate(PartitionParams, c.req.param(), "param", c);
  const h = validate(ProducerHeaders, c.req.header(), "header", c);
  const topic = await requirePartition(c.env, name, partition);
  const [batch] = planBatches(topic, await readProduceBody(c), partition);
  const producer: ProducerTuple | undefined =
    h["producer-id"] === undefined ? undefined : { producerId: h["producer-id"], epoch: h["producer-epoch"]!, seq: h["producer-seq"]! };
  const result = await leaderStub(c.env, topic.topicId, partition).append({
    bodies: batch!.bodies,
    timestamps: batch!.timestamps,
    producer,
    config: leaderConfig(c.env, topic, partition),
  });
  if (!result.ok) throw ApiError.from(result);
  const offsets = offsetEntries(partition, result.baseOffset, batch!.bodies.length);
  return jsonText(c, `{"offsets":[${offsets.join(",")}]${result.duplicate ? ',"duplicate":true' : ""}}`);
});

records.openapi(
  createRoute({
    method: "get",
    path: "/v1/topics/{topic}/partitions/{partition}/records",
    summary: "Fetch records from a partition, optionally waiting for new ones",
    description: "With `Accept: text/event-stream`: an SSE stream from the position (catch-up, then live); event id = record offset, resume with Last-Event-ID.",
    request: { params: PartitionParams, query: FetchQuery },
    responses: { 200: json(FetchResponseSchema, "records from the requested position"), ...errors(400, 404, 416, 503) },
  }),
  async (c) => {
    const { topic: name, partition } = c.req.valid("param");
    const q = c.req.valid("query");
    const topic = await requirePartition(c.env, name, partition);
    const from: StartPosition = q.timestamp !== undefined ? { timestamp: q.timestamp } : (q.offset ?? "earliest");
    if (wantsEventStream(c.req.header("accept"))) {
      return (await startPartitionStream(c.env, topic, partition, from, c.req.header("last-event-id"))) as never;
    }
    const result = await leaderStub(c.env, topic.topicId, partition).read({
      from,
      maxRecords: q.maxRecords,
      maxBytes: q.maxBytes,
      waitMs: q.waitMs,
    });
    if (!result.ok) throw ApiError.from(result);
    // The leader hands back records already rendered: splice, don't re-encode.
    return jsonText(
      c,
      `{"records":[${result.records}],"nextOffset":${result.nextOffset},"highWatermark":${result.highWatermark},"logStartOffset":${result.logStartOffset}}`,
    );
  },
);

/** `{"partition":p,"offset":o}` for each record of a batch (-1: a duplicate whose batch is gone). */
function offsetEntries(partition: number, baseOffset: number, count: number): string[] {
  const entries = new Array<string>(count);
  for (let j = 0; j < count; j++) entries[j] = `{"partition":${partition},"offset":${baseOffset < 0 ? -1 : baseOffset + j}}`;
  return entries;
}

/**
 * A JSON response from text assembled by hand: the hot path answers with
 * thousands of offsets or records, and building objects to stringify them
 * costs more than the request's own work. Typed as never for the route
 * schemas, which describe the same shapes.
 */
function jsonText(c: Context, body: string, status: ContentfulStatusCode = 200): never {
  return c.body(body, status, { "content-type": "application/json" }) as never;
}

async function requireTopic(env: Env, name: string): Promise<TopicSummary> {
  const topic = await lookupTopic(env, name);
  if (!topic) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
  return topic;
}

async function requirePartition(env: Env, name: string, partition: number): Promise<TopicSummary> {
  const topic = await requireTopic(env, name);
  if (partition >= topic.config.partitions) {
    throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' has no partition ${partition}`);
  }
  return topic;
}

/** Idempotent producing is per partition: its sequence numbers mean nothing across a topic. */
function refuseProducerHeaders(headers: Headers): void {
  if (headers.has("producer-id") || headers.has("producer-epoch") || headers.has("producer-seq")) {
    throw new ApiError(
      "INVALID_REQUEST",
      "producer headers belong on POST /v1/topics/{topic}/partitions/{partition}/records",
    );
  }
}
