import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { openSse } from "../support/sse.ts";

// Buses of their own with tight limits: streams recycled every 1.5 s, and a
// 64 KiB subscriber buffer.
let bus: Bus;
let slowBus: Bus;
beforeAll(async () => {
  [bus, slowBus] = await Promise.all([
    startBus({ vars: { EDGELOG_STREAM_MAX_MS: "1500" } }),
    startBus({ vars: { EDGELOG_SUBSCRIBER_BUFFER_BYTES: "65536" } }),
  ]);
});
afterAll(() => Promise.all([bus?.dispose(), slowBus?.dispose()]));

const values = (events: { event?: string; data: string }[]) =>
  events.filter((e) => e.event === "record").map((e) => JSON.parse(e.data).value as number);

describe("stream limits", () => {
  it("recycles connections; resuming from the last id loses nothing and repeats nothing", async () => {
    const topic = uniqueTopic("recycle");
    await createTopic(bus.url, topic, {});
    let produced = 0;
    const deadline = Date.now() + 5_000;
    const producer = (async () => {
      while (Date.now() < deadline) {
        await producePartition(bus.url, topic, 0, [{ value: produced }, { value: produced + 1 }]);
        produced += 2;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const seen: number[] = [];
    let lastId: string | undefined;
    let recycles = 0;
    while (Date.now() < deadline + 3_000) {
      const sse = await openSse(`${bus.url}/v1/topics/${topic}/partitions/0/records?offset=earliest`, lastId);
      const events = await sse.until((e) => e.at(-1)?.event === "recycle", 5_000);
      sse.close();
      if (events.at(-1)?.event === "recycle") recycles++;
      for (const e of events.filter((x) => x.event === "record")) {
        seen.push(JSON.parse(e.data).value);
        lastId = e.id;
      }
      if (Date.now() > deadline && seen.length === produced) break;
    }
    await producer;
    expect(recycles).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(Array.from({ length: produced }, (_, i) => i));
  });

  it("cuts off a subscriber that stops reading, and tells it where to resume", async () => {
    const topic = uniqueTopic("slow");
    await createTopic(slowBus.url, topic, {});
    const res = await fetch(`${slowBus.url}/v1/topics/${topic}/partitions/0/records?offset=earliest`, {
      headers: { accept: "text/event-stream" },
    });
    const reader = res.body!.getReader();
    await reader.read(); // the stream is open; now stop reading
    const value = "x".repeat(1000);
    for (let i = 0; i < 60; i++) {
      await producePartition(slowBus.url, topic, 0, Array.from({ length: 200 }, (_, j) => ({ value: `${i * 200 + j} ${value}` })));
    }
    // Read everything that was buffered before the cut-off.
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      text += decoder.decode(chunk, { stream: true });
    }
    const events = text.split("\n\n").filter((e) => e.includes("event: "));
    const last = events.at(-1)!;
    expect(last).toContain("event: cutoff");
    const cutoff = JSON.parse(last.slice(last.indexOf("data: ") + 6));
    expect(cutoff.reason).toBe("slow subscriber");
    const delivered = events.filter((e) => e.includes("event: record"));
    // Some records got through before the cut, and far from all of them.
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(12_000);
    expect(cutoff.positions).toBe(`0:${delivered.length}`);
    // Resume where it said: the rest arrives, no gap, no repeat.
    const sse = await openSse(`${slowBus.url}/v1/topics/${topic}/partitions/0/records?offset=${delivered.length}`);
    const resumed = await sse.until((e) => values(e).length >= 12_000 - delivered.length, 30_000);
    sse.close();
    const rest = resumed.filter((e) => e.event === "record").map((e) => Number(JSON.parse(e.data).value.split(" ")[0]));
    expect(rest).toEqual(Array.from({ length: 12_000 - delivered.length }, (_, i) => delivered.length + i));
  });
});
