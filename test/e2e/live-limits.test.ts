import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { openSse } from "../support/sse.ts";

// A bus of its own whose streams are recycled every 1.5 s. (A slow
// subscriber's cut-off is tested inside workerd, test/worker/live-slow.test.ts:
// here the dev proxy and socket buffers would soak up the backlog.)
let bus: Bus;
beforeAll(async () => {
  bus = await startBus({ vars: { EDGELOG_STREAM_MAX_MS: "1500" } });
});
afterAll(() => bus?.dispose());

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
});
