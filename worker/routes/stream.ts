/**
 * @module
 * The Durable Streams face, `/v1/stream/<name>` (PROTOCOL.md, "Durable
 * Streams face"): PUT creates, POST appends or closes, GET reads (catch-up,
 * long-poll, SSE), HEAD describes, DELETE deletes. `<name>` may contain `/`.
 * `/v1/stream/topics/<topic>/<partition>` reads an edgelog topic partition
 * the same way, read-only; `/v1/stream/__ds/` is the protocol's reserved
 * subscription API (worker/streams/subscriptions). Every answer, errors included, carries the
 * browser security headers the protocol asks for.
 */

import { Hono, type Context } from "hono";
import { permits } from "../auth/grants.ts";
import { authSettings } from "../auth/settings.ts";
import { ApiError } from "../http-error.ts";
import { appendResponse } from "../streams/append.ts";
import { createResponse, infoHeaders } from "../streams/create.ts";
import { STREAM_EXPIRES_AT, STREAM_NEXT_OFFSET, STREAM_TTL } from "../streams/headers.ts";
import { streamFeed, streamStub } from "../streams/leader.ts";
import { STREAM_PREFIX, nameFromPath } from "../streams/names.ts";
import { formatOffset } from "../streams/offsets.ts";
import { readResponse } from "../streams/read.ts";
import { streamReader } from "../streams/stream-reader.ts";
import { subscriptionsResponse } from "../streams/subscriptions/routes.ts";
import { TOPIC_CONTENT_TYPE, topicPartition, topicReader, topicTail } from "../streams/topic-reader.ts";

type Ctx = Context<{ Bindings: Env }>;

export const stream = new Hono<{ Bindings: Env }>();

stream.use(`${STREAM_PREFIX}*`, async function streamSecurityHeaders(c, next) {
  await next();
  // Stream bytes are data, never a page or script to sniff or embed (protocol §10.7).
  c.res.headers.set("x-content-type-options", "nosniff");
  c.res.headers.set("cross-origin-resource-policy", "cross-origin");
});

stream.all(`${STREAM_PREFIX}*`, async (c) => {
  const pathname = new URL(c.req.url).pathname;
  if (pathname.startsWith(`${STREAM_PREFIX}__ds/`)) return subscriptionsResponse(c, pathname.slice(STREAM_PREFIX.length + "__ds/".length));
  const name = nameFromPath(pathname);
  if (name === "topics" || name.startsWith("topics/")) return topicFace(c, name);
  switch (c.req.method) {
    case "HEAD":
      return headResponse(c, name);
    case "GET":
      return readResponse(c, { reader: streamReader(c.env, name), feed: streamFeed(name), etagKey: `s:${name}` }, isAuthenticated(c));
    case "PUT":
      return createResponse(c, name, (source) => mayConsume(c, source));
    case "POST":
      return appendResponse(c, name);
    case "DELETE": {
      const r = await streamStub(c.env, name).streamDelete();
      if (!r.ok) throw ApiError.from(r);
      return new Response(null, { status: 204 });
    }
    default:
      return methodNotAllowed(c, "GET, HEAD, PUT, POST, DELETE");
  }
});

async function headResponse(c: Ctx, name: string): Promise<Response> {
  const r = await streamStub(c.env, name).streamHead();
  if (!r.ok) throw ApiError.from(r);
  const headers: Record<string, string> = { ...infoHeaders(r.info), "cache-control": "no-store" };
  if (r.info.ttlSeconds !== null) headers[STREAM_TTL] = String(r.info.ttlSeconds);
  if (r.info.expiresAt !== null) headers[STREAM_EXPIRES_AT] = new Date(r.info.expiresAt).toISOString();
  return new Response(null, { status: 200, headers });
}

async function topicFace(c: Ctx, name: string): Promise<Response> {
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    return methodNotAllowed(c, "GET, HEAD", "a topic partition is read-only here; produce with POST /v1/topics/{topic}/partitions/{partition}/records");
  }
  const ref = await topicPartition(c.env, name);
  if (c.req.method === "HEAD") {
    const tail = await topicTail(c.env, ref);
    return new Response(null, { status: 200, headers: { "content-type": TOPIC_CONTENT_TYPE, [STREAM_NEXT_OFFSET]: formatOffset(tail), "cache-control": "no-store" } });
  }
  const target = { reader: topicReader(c.env, ref), feed: { topicId: ref.topic.topicId, partition: ref.partition }, etagKey: `t:${ref.topic.topicId}/${ref.partition}` };
  return readResponse(c, target, isAuthenticated(c));
}

function methodNotAllowed(c: Ctx, allow: string, message = `${c.req.method} is not a stream operation`): Response {
  const err = new ApiError("METHOD_NOT_ALLOWED", message);
  const res = c.json({ error: err.failure.error }, 405);
  res.headers.set("allow", allow);
  return res;
}

/** Reading a fork's source is reading the source: the creator needs `consume` on it too. */
function mayConsume(c: Ctx, source: string): boolean {
  const principal = c.get("principal");
  return principal === undefined || permits(principal, "consume", source);
}

function isAuthenticated(c: Ctx): boolean {
  return authSettings(c.env).mode !== "open";
}
