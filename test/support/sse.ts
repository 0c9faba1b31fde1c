/**
 * @module
 * A test-side SSE client over fetch: open a stream (with Last-Event-ID),
 * pull events one at a time or until a condition holds, close it.
 */

import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";

export interface SseClient {
  status: number;
  /** The next event, or null when the stream ended. */
  next(timeoutMs?: number): Promise<EventSourceMessage | null>;
  /** Reads events until `done(events)` is true or the stream ends; returns them all. */
  until(done: (events: EventSourceMessage[]) => boolean, timeoutMs?: number): Promise<EventSourceMessage[]>;
  close(): void;
}

export async function openSse(url: string, lastEventId?: string): Promise<SseClient> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  const res = await fetch(url, { headers, signal: abort.signal });
  if (!res.ok || !res.body) {
    return {
      status: res.status,
      next: async () => null,
      until: async () => [],
      close: () => abort.abort(),
    };
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const next = async (timeoutMs = 10_000): Promise<EventSourceMessage | null> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      return done ? null : value;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    status: res.status,
    next,
    async until(done, timeoutMs = 20_000) {
      const events: EventSourceMessage[] = [];
      const deadline = Date.now() + timeoutMs;
      while (!done(events)) {
        const event = await next(Math.max(1, deadline - Date.now()));
        if (!event) break;
        events.push(event);
      }
      return events;
    },
    close: () => abort.abort(),
  };
}
