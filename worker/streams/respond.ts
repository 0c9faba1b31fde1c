/**
 * @module
 * Responses of the face: a page as catch-up or long-poll body with the
 * protocol's headers (offsets, up-to-date, closed, cursor, ETag, caching),
 * and the headers every stream response carries.
 */

import type { Context } from "hono";
import { toBase64, utf8 } from "../../src/protocol/codec.ts";
import type { Failure } from "../../src/protocol/errors.ts";
import { errorResponse } from "../http-error.ts";
import { concatBytes, messageText } from "./content.ts";
import { STREAM_CLOSED, STREAM_CURSOR, STREAM_NEXT_OFFSET, STREAM_UP_TO_DATE } from "./headers.ts";
import { formatOffset } from "./offsets.ts";
import { upToDate, type Page } from "./page.ts";

/** The body of a page: a JSON array of messages, or the bytes back to back. */
function pageBody(page: Page): string | Uint8Array {
  if (page.rendering === "records") return `[${page.lines.join(",")}]`;
  if (page.rendering === "json") return `[${page.lines.map(messageText).join(",")}]`;
  return concatBytes(page.lines);
}

interface PageOptions {
  /** Identifies the stream in ETags (a stream's name, a topic partition's id). */
  etagKey: string;
  /** Set on live reads (and every read: clients echo it). */
  cursor: string;
  /** `offset=now`: the answer is the tail itself, never to be cached. */
  atNow: boolean;
  /** Whether a bearer token authorizes reads: caches must keep answers per user. */
  authenticated: boolean;
}

/** Headers describing where a page leaves the reader. */
export function positionHeaders(page: Page, cursor: string): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": page.contentType,
    [STREAM_NEXT_OFFSET]: formatOffset(page.next),
    [STREAM_CURSOR]: cursor,
  };
  if (upToDate(page)) {
    headers[STREAM_UP_TO_DATE] = "true";
    if (page.closed) headers[STREAM_CLOSED] = "true";
  }
  return headers;
}

/** A catch-up (or long-poll with data) answer; 304 when the client already holds exactly this page. */
export function pageResponse(c: Context, page: Page, o: PageOptions): Response {
  const headers = positionHeaders(page, o.cursor);
  const done = upToDate(page);
  if (o.atNow) {
    headers["cache-control"] = "no-store";
  } else {
    // A page that ends before the tail never changes; one at the tail does once more arrives.
    headers["cache-control"] = done ? "no-cache" : `${o.authenticated ? "private" : "public"}, max-age=60, stale-while-revalidate=300`;
    const etag = `"${toBase64(utf8(o.etagKey))}:${page.from}:${page.next}${done && page.closed ? ":c" : ""}"`;
    headers.etag = etag;
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  }
  return new Response(pageBody(page), { status: 200, headers });
}

/** An error answer with the protocol's headers that go with it (Stream-Closed, producer positions). */
export function failResponse(c: Context, failed: Failure, headers: Record<string, string>): Response {
  const res = errorResponse(c, failed);
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}
