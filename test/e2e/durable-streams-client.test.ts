/**
 * The Durable Streams protocol's own client (@durable-streams/client)
 * against the bus: its idempotent producer appends, its live SSE reader
 * follows, and an edgelog topic partition reads as a stream.
 */

import { DurableStream, IdempotentProducer, stream } from "@durable-streams/client";
import { describe, expect, inject, it } from "vitest";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";

const url = () => inject("busUrl");

/** Collects JSON items from a live reader until `done` says so. */
function collect<T>(res: Awaited<ReturnType<typeof stream<T>>>, done: (items: T[]) => boolean): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    const unsubscribe = res.subscribeJson(async (batch) => {
      items.push(...batch.items);
      if (done(items)) {
        unsubscribe();
        res.cancel();
        resolve(items);
      }
    });
    res.closed.catch(reject);
  });
}

describe("@durable-streams/client against the bus", () => {
  it("appends with the idempotent producer, exactly once and in order, while a live SSE reader follows", async () => {
    const streamUrl = `${url()}/v1/stream/${uniqueTopic("ds-client")}/events`;
    const handle = await DurableStream.create({ url: streamUrl, contentType: "application/json" });
    const live = await stream<{ n: number }>({ url: streamUrl, offset: "-1", live: "sse" });
    const received = collect(live, (items) => items.length >= 1_000);

    const errors: unknown[] = [];
    // Five batches in flight: they may reach the leader out of order, and are answered as gaps and retried.
    const producer = new IdempotentProducer(handle, "e2e-producer", { lingerMs: 2, maxInFlight: 5, onError: (err) => errors.push(err) });
    for (let n = 0; n < 1_000; n++) producer.append(JSON.stringify({ n }));
    await producer.flush();
    await producer.close();
    expect(errors).toEqual([]);

    expect((await received).map((m) => m.n)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    // A catch-up read sees the same 1000, once each.
    const all = await (await stream<{ n: number }>({ url: streamUrl, live: false })).json();
    expect(all.map((m) => m.n)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
  });

  it("reads an edgelog topic partition as a JSON stream: catch-up, then live", async () => {
    const topic = uniqueTopic("ds-topic");
    await createTopic(url(), topic, { partitions: 2 });
    await producePartition(url(), topic, 1, [{ key: "a", value: { n: 0 } }, { value: "one" }]);
    const streamUrl = `${url()}/v1/stream/topics/${topic}/1`;

    const head = await fetch(streamUrl, { method: "HEAD" });
    expect(head.headers.get("content-type")).toBe("application/json");
    expect(head.headers.get("stream-next-offset")).toBe("0000000000000000_0000000000000002");

    type Rec = { offset: number; key: string | null; value: unknown; headers: Record<string, string> };
    const caughtUp = await (await stream<Rec>({ url: streamUrl, live: false })).json();
    expect(caughtUp.map((r) => [r.offset, r.key, r.value])).toEqual([[0, "a", { n: 0 }], [1, null, "one"]]);

    const live = await stream<Rec>({ url: streamUrl, offset: "now", live: "sse" });
    const next = collect(live, (items) => items.length >= 2);
    await producePartition(url(), topic, 1, [{ value: 2 }, { value: 3 }]);
    expect((await next).map((r) => [r.offset, r.value])).toEqual([[2, 2], [3, 3]]);

    // Read-only: topics are written through the produce API.
    const refused = await fetch(streamUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(405);
    expect((await fetch(`${url()}/v1/stream/topics/${topic}/7`)).status).toBe(404);
  });
});
