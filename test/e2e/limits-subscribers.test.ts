/**
 * Live subscribers per partition (EDGELOG_MAX_SUBSCRIBERS_PER_PARTITION,
 * counted per worker isolate: a local bus is one isolate). A bus of its own
 * with 2 slots per partition and a fast SSE heartbeat, which is when a
 * stream notices its client has gone.
 */

import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";
import { openSse } from "../support/sse.ts";

let bus: Bus;
beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_MAX_SUBSCRIBERS_PER_PARTITION: "2", EDGELOG_STREAM_HEARTBEAT_MS: "250" } });
});
afterAll(() => bus?.dispose());

const partitionUrl = (topic: string, p: number) => `${bus.url}/v1/topics/${topic}/partitions/${p}/records?offset=earliest`;
const values = (events: { event?: string; data: string }[]) => events.filter((e) => e.event === "record").map((e) => JSON.parse(e.data).value);

async function expectRefused(res: { status: number; retryAfter: string | null; body: string }): Promise<void> {
  expect(res.status, res.body).toBe(503);
  expect(res.retryAfter).toBe("5");
  expect(JSON.parse(res.body)).toMatchObject({ error: { code: "TOO_MANY_SUBSCRIBERS", retriable: true, limit: 2, retryAfter: 5 } });
}

/** An SSE request answered with an error: its status, Retry-After and body. */
async function sseAttempt(url: string) {
  const res = await fetch(url, { headers: { accept: "text/event-stream" } });
  const body = res.ok ? "" : await res.text();
  if (res.ok) await res.body?.cancel();
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body };
}

/** A WebSocket handshake by hand, to see the status of a refused upgrade. */
function upgradeAttempt(url: string): Promise<{ status: number; retryAfter: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64") },
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, retryAfter: null, body: "" });
    });
    req.on("response", async (res) => {
      let body = "";
      for await (const chunk of res) body += chunk;
      resolve({ status: res.statusCode!, retryAfter: (res.headers["retry-after"] as string | undefined) ?? null, body });
    });
    req.on("error", reject);
    req.end();
  });
}

function openWebSocket(url: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => resolve(null), { once: true });
  });
}

/** Opens a stream once a slot is free (refusals are retried), within `timeoutMs`. */
async function whenFree<T>(url: string, open: () => Promise<T | null>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stream = await open();
    if (stream) return stream;
    if (Date.now() > deadline) throw new Error(`no slot came free on ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const openWhenFree = (url: string) =>
  whenFree(url, async () => {
    const sse = await openSse(url);
    if (sse.status === 200) return sse;
    expect(sse.status).toBe(503);
    return null;
  });

const openWebSocketWhenFree = (url: string) => whenFree(url, () => openWebSocket(url));

describe("subscribers per partition", () => {
  it("refuses a stream past the limit with 503 TOO_MANY_SUBSCRIBERS before it starts; the streams holding slots go on", async () => {
    const topic = uniqueTopic("subs");
    await createTopic(bus.url, topic, { partitions: 2 });
    await producePartition(bus.url, topic, 0, [{ value: 0 }]);
    const a = await openSse(partitionUrl(topic, 0));
    const b = await openSse(partitionUrl(topic, 0));
    for (const s of [a, b]) {
      expect(s.status).toBe(200);
      expect(values(await s.until((e) => values(e).length === 1))).toEqual([0]);
    }

    await expectRefused(await sseAttempt(partitionUrl(topic, 0)));
    // Streams over several partitions claim a slot on each, all or none.
    await expectRefused(await sseAttempt(`${bus.url}/v1/topics/${topic}/records?from=earliest`));
    await expectRefused(await upgradeAttempt(`${bus.url}/v1/topics/${topic}/records?partitions=0,1`));

    // Partition 1 has slots of its own, and the refused streams took none of them.
    const c = await openSse(partitionUrl(topic, 1));
    const d = await openSse(partitionUrl(topic, 1));
    expect([c.status, d.status]).toEqual([200, 200]);
    await expectRefused(await sseAttempt(partitionUrl(topic, 1)));

    await producePartition(bus.url, topic, 0, [{ value: 1 }]);
    for (const s of [a, b]) expect(values(await s.until((e) => values(e).length === 1))).toEqual([1]);
    for (const s of [a, b, c, d]) s.close();
  });

  it("gives slots back when subscribers leave, and counts exactly after many comings and goings", async () => {
    const topic = uniqueTopic("slots");
    await createTopic(bus.url, topic, { partitions: 1 });
    const url = partitionUrl(topic, 0);
    const a = await openSse(url);
    const b = await openSse(url);
    await expectRefused(await sseAttempt(url));

    // SSE: the slot comes back once a heartbeat finds the client gone.
    a.close();
    const c = await openWhenFree(url);
    await expectRefused(await sseAttempt(url));
    b.close();
    c.close();

    // WebSocket: the slot comes back when the socket closes.
    const wsUrl = `${bus.url}/v1/topics/${topic}/records?partitions=0`;
    const first = await openWhenFree(url);
    const ws = await openWebSocketWhenFree(wsUrl);
    await expectRefused(await upgradeAttempt(wsUrl));
    ws.close();
    const second = await openWhenFree(url);
    first.close();
    second.close();

    // Ten more streams come and go one after another.
    for (let i = 0; i < 10; i++) (await openWhenFree(url)).close();

    // Every slot is free again, and still no more than two.
    const held = [await openWhenFree(url), await openWhenFree(url)];
    await expectRefused(await sseAttempt(url));
    for (const s of held) s.close();
  });
});
