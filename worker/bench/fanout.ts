/**
 * @module
 * The live-delivery ceiling: the least a worker can do to hand each posted
 * event to many SSE clients, so the bench can tell what fan-out latency a
 * machine allows before any of edgelog's own work (live.ts in test/bench).
 *
 * - `GET /v1/_bench/fanout`: an SSE response that receives every event
 *   posted from now on.
 * - `POST /v1/_bench/fanout`: the body becomes one `data:` event for every
 *   open response; answered 204 with `x-listeners`, how many it reached.
 *
 * No Durable Object, no SQLite, no leader link, no acknowledgements, no
 * backpressure: the post encodes the event once per client and wakes that
 * client's own request, which writes it to its native stream. That wake
 * crosses requests (the runtime runs the continuation in the request that
 * awaits it), and one native write per client per event is the least any
 * SSE fan-out does here: a native stream may only be written from the
 * request that made it.
 *
 * It is a ceiling, not a design. Under load the runtime runs some of these
 * continuations in the posting request instead, where the write is refused
 * ("Cannot perform I/O on behalf of a different request"): that client
 * gets nothing more (the bench counts the clients that got the last
 * event). That is why edgelog's live streams each have their own leader
 * link (worker/live/leader-feed.ts), whose frames arrive in the stream's
 * own request. A client lost only leaves less work, so the ceiling errs
 * on the low side.
 */

import { Hono } from "hono";

const encoder = new TextEncoder();
/** Comments keep idle responses open through proxies, as live streams do. */
const HEARTBEAT_MS = 15_000;

interface Listener {
  /** Events not yet written, while the writer is busy. */
  queue: Uint8Array[];
  /** Resolves the writer's wait for the next event, when it waits. */
  wake: ((event: Uint8Array) => void) | undefined;
}

/** This isolate's open responses: the local engine runs one isolate. */
const listeners = new Set<Listener>();

export const fanout = new Hono<{ Bindings: Env }>();

fanout.get("/", (c) => {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const listener: Listener = { queue: [], wake: undefined };
  listeners.add(listener);
  const heartbeat = setInterval(() => hand(listener, encoder.encode(": ping\n\n")), HEARTBEAT_MS);
  // Kept running after the handler returns: this loop is the response's only writer.
  c.executionCtx.waitUntil(
    (async () => {
      try {
        await writer.write(encoder.encode("retry: 1000\n\n"));
        for (;;) {
          const event = listener.queue.shift() ?? (await new Promise<Uint8Array>((resolve) => (listener.wake = resolve)));
          await writer.write(event);
        }
      } catch {
        // The client left, or the write ran in another request (see above).
      } finally {
        listeners.delete(listener);
        clearInterval(heartbeat);
      }
    })(),
  );
  return new Response(readable, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
});

fanout.post("/", async (c) => {
  const event = `data: ${await c.req.text()}\n\n`;
  // Encoded per client: a native write takes (detaches) its bytes.
  for (const listener of listeners) hand(listener, encoder.encode(event));
  return c.body(null, 204, { "x-listeners": String(listeners.size) });
});

function hand(listener: Listener, event: Uint8Array): void {
  const wake = listener.wake;
  listener.wake = undefined;
  if (wake) wake(event);
  else listener.queue.push(event);
}
