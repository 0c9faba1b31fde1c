/**
 * @module
 * `live=sse`: catch-up pages as data and control events, then the log's
 * live feed until the stream closes, the client leaves or the connection's
 * time is up (the protocol asks servers to end SSE connections about every
 * minute, so CDNs can collapse readers; the client resumes from the last
 * control event's offset). A stream's close reaches live readers as the end
 * of the leader's feed: they read again, see the close, and finish.
 */

import { streamSettings } from "../config.ts";
import { ApiError } from "../http-error.ts";
import { waitUntil } from "cloudflare:workers";
import { claimSlots } from "../live/slots.ts";
import { SseStream } from "../live/sse.ts";
import { responseCursor } from "./cursor.ts";
import { STREAM_SSE_DATA_ENCODING } from "./headers.ts";
import { listen } from "./live.ts";
import { upToDate, type Page, type PageReader } from "./page.ts";
import { controlEvent, dataEvent } from "./sse-events.ts";

export interface SseTarget {
  reader: PageReader;
  feed: { topicId: string; partition: number };
}

/** Bytes queued for one client before catch-up waits and live frames fall back to catch-up. */
const HIGH_WATER_MARK = 256 * 1024;
const MAX_CONNECTION_MS = 60_000;
/** Before following a feed that just ended without news again: a failing leader is not hammered. */
const RELINK_DELAY_MS = 200;

/** Starts an SSE response at `first` (already read, so a missing stream is a plain 404). */
export function sseResponse(env: Env, target: SseTarget, first: Page, clientCursor: string | undefined): Response {
  const settings = streamSettings(env);
  const slot = claimSlots(target.feed.topicId, [target.feed.partition], settings.maxSubscribersPerPartition);
  if (!slot.ok) {
    throw new ApiError("TOO_MANY_SUBSCRIBERS", "this stream has as many live readers as this server serves; retry shortly", {
      retryAfter: 5,
      limit: settings.maxSubscribersPerPartition,
    });
  }
  // The protocol's own headers, and no `retry:` line: its clients reconnect themselves.
  const writer = new SseStream({ heartbeatMs: settings.heartbeatMs, highWaterMark: HIGH_WATER_MARK });
  const stop = new AbortController();
  writer.signal.addEventListener("abort", () => stop.abort());
  const timer = setTimeout(() => stop.abort(), Math.min(settings.maxStreamMs, MAX_CONNECTION_MS));
  // Under waitUntil: workerd cancels a request whose client has gone before
  // the stream's code notices, and then the slot would wait out its lease.
  waitUntil(
    pump(env, target, first, responseCursor(clientCursor), writer, stop.signal)
      // A stream deleted under its readers ends their connection; only the unexpected is logged.
      .catch((err) => err instanceof ApiError || console.error("stream SSE failed", err))
      .finally(async () => {
        clearTimeout(timer);
        slot.release();
        await writer.close();
      }),
  );
  const headers: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" };
  if (first.rendering === "binary") headers[STREAM_SSE_DATA_ENCODING] = "base64";
  return new Response(writer.readable, { status: 200, headers });
}

async function pump(env: Env, target: SseTarget, first: Page, cursor: string, writer: SseStream, signal: AbortSignal): Promise<void> {
  let page = first;
  let announced = false;
  while (!signal.aborted) {
    const done = upToDate(page);
    const finished = done && page.closed;
    if (page.lines.length > 0 || !announced || finished) {
      const data = page.lines.length > 0 ? dataEvent(page.rendering, page.lines) : "";
      await writer.write(data + controlEvent({ next: page.next, cursor, upToDate: done, closed: finished }));
      announced = true;
    }
    if (finished) return;
    if (!done) {
      page = await target.reader(page.next, 0);
      continue;
    }
    const rendering = page.rendering;
    const followed = await listen({
      env,
      feed: target.feed,
      from: page.next,
      signal,
      push(lines, next) {
        // Too far behind for live frames: the reader falls back to catch-up reads, which wait for it.
        if (writer.queued > HIGH_WATER_MARK) return false;
        writer.enqueue(dataEvent(rendering, lines) + controlEvent({ next, cursor, upToDate: true, closed: false }));
        return true;
      },
    });
    if (followed.end === "aborted") return;
    const before = page.next;
    page = await target.reader(followed.next, 0);
    if (followed.end === "ended" && followed.next === before && page.next === before && !page.closed) {
      await new Promise((r) => setTimeout(r, RELINK_DELAY_MS));
    }
  }
}
