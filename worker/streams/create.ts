/**
 * @module
 * PUT on a stream: create it (201, with its initial body and maybe closed
 * at once), or confirm it (200) when one with the same settings exists;
 * 409 when the existing one differs. A `Stream-Forked-From` header makes
 * the new stream a fork (fork.ts).
 */

import type { Context } from "hono";
import type { StreamInfo } from "../durable/partition-leader/stream-rpc.ts";
import { ApiError } from "../http-error.ts";
import { readBody } from "./body.ts";
import { DEFAULT_CONTENT_TYPE, modeOf, recordBodies } from "./content.ts";
import { createHeaders } from "./create-headers.ts";
import { createFork } from "./fork.ts";
import { STREAM_CLOSED, STREAM_NEXT_OFFSET } from "./headers.ts";
import { streamStub } from "./leader.ts";
import { formatOffset } from "./offsets.ts";
import { notifyAppend } from "./subscriptions/notify.ts";

export async function createResponse(c: Context<{ Bindings: Env }>, name: string, mayReadSource: (source: string) => boolean): Promise<Response> {
  const h = createHeaders((n) => c.req.header(n));
  const body = await readBody(c.req.raw);
  let result;
  let wrote: boolean;
  if (h.fork) {
    if (!mayReadSource(h.fork.source)) throw new ApiError("FORBIDDEN", `forking '${h.fork.source}' needs 'consume' on it`);
    result = await createFork(c.env, name, { ...h, fork: h.fork }, body);
    wrote = body.length > 0;
  } else {
    const contentType = h.contentType ?? DEFAULT_CONTENT_TYPE;
    const bodies = recordBodies(modeOf(contentType), body, true);
    result = await streamStub(c.env, name).streamCreate({ config: { contentType, ttlSeconds: h.ttlSeconds, expiresAt: h.expiresAt }, closed: h.closed, bodies });
    wrote = bodies.length > 0;
  }
  if (!result.ok) throw ApiError.from(result);
  if (result.created && wrote) await notifyAppend(c.env, name, result.info.tail);
  const headers = infoHeaders(result.info);
  if (result.created) {
    const url = new URL(c.req.url);
    headers.location = `${url.origin}${url.pathname}`;
  }
  return new Response(null, { status: result.created ? 201 : 200, headers });
}

/** The headers that describe a stream: after a create, and on HEAD. */
export function infoHeaders(info: StreamInfo): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": info.contentType,
    [STREAM_NEXT_OFFSET]: formatOffset(info.tail),
  };
  if (info.closed) headers[STREAM_CLOSED] = "true";
  return headers;
}
