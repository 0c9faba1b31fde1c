/**
 * @module
 * Live streams: SSE on the one-partition records URL (content negotiation on
 * `Accept: text/event-stream`), and SSE or WebSocket over several partitions
 * on the topic records URL. Every problem with the request is answered with
 * a 4xx before the stream starts.
 */

import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { TopicSummary } from "../../src/protocol/types.ts";
import { streamSettings } from "../config.ts";
import type { StartPosition } from "../durable/partition-leader/rpc.ts";
import { ApiError } from "../http-error.ts";
import { leaderStub } from "../leaders.ts";
import { parseVector, resumeAfter } from "../live/positions.ts";
import { partitionSse, topicSse, topicWebSocket } from "../live/streams.ts";
import { errors } from "../schemas/responses.ts";
import { TopicParams } from "../schemas/topic.ts";
import { lookupTopic } from "../topic-cache.ts";
import { validationHook } from "../validation.ts";

export const live = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes("text/event-stream");
}

/** Where a stream over one partition starts: the Last-Event-ID wins over the query. */
export async function startPartitionStream(
  env: Env,
  topic: TopicSummary,
  partition: number,
  from: StartPosition,
  lastEventId: string | undefined,
): Promise<Response> {
  const start = await resolveStart(env, topic, partition, lastEventId === undefined ? from : resumeAfter(lastEventId));
  return partitionSse({ env, topicId: topic.topicId, settings: streamSettings(env) }, partition, start);
}

const TopicStreamQuery = z
  .object({
    partitions: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,5})(,(0|[1-9][0-9]{0,5}))*$/, "a comma-separated list of partitions")
      .optional()
      .openapi({ description: "partitions to follow; all by default" }),
    from: z.enum(["earliest", "latest"]).default("latest").openapi({ description: "where partitions without an explicit offset start" }),
    offsets: z.string().optional().openapi({ description: "per-partition start offsets, e.g. 0:15,3:7" }),
  })
  .strict();

live.openapi(
  createRoute({
    method: "get",
    path: "/v1/topics/{topic}/records",
    summary: "Follow several partitions live over one connection (SSE or WebSocket)",
    description:
      "Send `Accept: text/event-stream` for SSE or `Upgrade: websocket` for a WebSocket. SSE event ids carry every partition's position (`p:next,...`); reconnect with Last-Event-ID to resume exactly.",
    request: { params: TopicParams, query: TopicStreamQuery },
    responses: {
      200: { description: "an SSE stream of `record` events, ended by a `recycle`, `cutoff` or `end` event", content: { "text/event-stream": { schema: z.string() } } },
      101: { description: "a WebSocket of `{ type: 'records', partition, nextOffset, records }` messages" },
      ...errors(400, 404, 416, 503),
    },
  }),
  async (c) => {
    const { topic: name } = c.req.valid("param");
    const q = c.req.valid("query");
    const isWebSocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
    if (!isWebSocket && !wantsEventStream(c.req.header("accept"))) {
      throw new ApiError("INVALID_REQUEST", "ask for a stream: Accept: text/event-stream, or a WebSocket upgrade; to produce, POST");
    }
    const topic = await lookupTopic(c.env, name);
    if (!topic) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    const n = topic.config.partitions;
    const chosen = q.partitions ? [...new Set(q.partitions.split(",").map(Number))] : Array.from({ length: n }, (_, p) => p);
    const explicit = q.offsets ? parseVector(q.offsets, "offsets") : new Map<number, number>();
    const lastEventId = c.req.header("last-event-id");
    const resume = lastEventId === undefined ? new Map<number, number>() : parseVector(lastEventId, "Last-Event-ID");
    for (const p of [...chosen, ...explicit.keys(), ...resume.keys()]) {
      if (p >= n) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' has no partition ${p}`);
    }
    const starts = new Map<number, number>();
    await Promise.all(
      chosen.map(async (p) => starts.set(p, await resolveStart(c.env, topic, p, resume.get(p) ?? explicit.get(p) ?? q.from))),
    );
    const target = { env: c.env, topicId: topic.topicId, settings: streamSettings(c.env) };
    return (isWebSocket ? topicWebSocket(target, starts) : topicSse(target, starts)) as never;
  },
);

async function resolveStart(env: Env, topic: TopicSummary, partition: number, from: StartPosition): Promise<number> {
  const position = await leaderStub(env, topic.topicId, partition).position(from);
  if (!position.ok) throw ApiError.from(position);
  return position.offset;
}
