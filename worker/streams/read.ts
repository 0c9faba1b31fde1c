/**
 * @module
 * GET on a stream: a catch-up page, a long-poll (`live=long-poll`: waits at
 * the tail up to EDGELOG_STREAM_LONG_POLL_MS, then 204) or an SSE stream
 * (`live=sse`). The query is checked strictly: one `offset` at most, well
 * formed, and required by the live modes; unknown parameters are ignored.
 */

import type { Context } from "hono";
import { ApiError } from "../http-error.ts";
import { responseCursor } from "./cursor.ts";
import { parseOffset } from "./offsets.ts";
import type { Page } from "./page.ts";
import { pageResponse, positionHeaders } from "./respond.ts";
import { longPollMs } from "./settings.ts";
import { sseResponse, type SseTarget } from "./sse.ts";

interface ReadTarget extends SseTarget {
  /** Identifies the stream in ETags. */
  etagKey: string;
}

interface ReadQuery {
  from: number | "start" | "now";
  live: "long-poll" | "sse" | null;
  cursor: string | undefined;
}

function parseReadQuery(url: URL): ReadQuery {
  const offsets = url.searchParams.getAll("offset");
  if (offsets.length > 1) throw new ApiError("INVALID_REQUEST", "give one offset");
  const live = url.searchParams.get("live");
  if (live !== null && live !== "long-poll" && live !== "sse") throw new ApiError("INVALID_REQUEST", "live is long-poll or sse");
  const cursor = url.searchParams.get("cursor") ?? undefined;
  const raw = offsets[0];
  if (raw === undefined) {
    if (live !== null) throw new ApiError("INVALID_REQUEST", `live=${live} needs an offset (-1 for the start, now for the tail)`);
    return { from: "start", live, cursor };
  }
  const from = parseOffset(raw);
  if (from === null) throw new ApiError("INVALID_REQUEST", "offset must be -1, now, or an offset this server returned");
  if (from === "beyond") throw new ApiError("INVALID_REQUEST", "offset is past the end of the stream");
  return { from, live, cursor };
}

export async function readResponse(c: Context<{ Bindings: Env }>, target: ReadTarget, authenticated: boolean): Promise<Response> {
  const q = parseReadQuery(new URL(c.req.url));
  if (q.live === "sse") return sseResponse(c.env, target, await target.reader(q.from, 0), q.cursor);
  const page: Page = await target.reader(q.from, q.live === "long-poll" ? longPollMs(c.env) : 0);
  const cursor = responseCursor(q.cursor);
  if (q.live === "long-poll" && page.lines.length === 0) {
    // Nothing arrived in time (or the stream is closed): the tail, and where to poll next.
    const headers = positionHeaders(page, cursor);
    delete headers["content-type"];
    return new Response(null, { status: 204, headers: { ...headers, "cache-control": "no-store" } });
  }
  return pageResponse(c, page, { etagKey: target.etagKey, cursor, atNow: q.from === "now" && q.live === null, authenticated });
}
