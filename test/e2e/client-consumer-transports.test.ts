// The client's consumer over both transports against a bus that recycles
// live streams every second: records produced over several recycles arrive
// in order, each once, with SSE reconnecting on its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/index.ts";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

let bus: Bus;
beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_STREAM_MAX_MS: "1000" } });
});
afterAll(() => bus?.dispose());

describe.each(["sse", "long-poll"] as const)("consumer over %s", (transport) => {
  it("follows two partitions across stream recycles with no gap and no repeat", { timeout: 60_000 }, async () => {
    const topic = uniqueTopic(`consume-${transport}`);
    await createTopic(bus.url, topic, { partitions: 2 });
    const client = createClient({ url: bus.url, outbox: "memory" });
    const consumer = client.consumer({ topic, from: "earliest", transport, persist: false, waitMs: 2_000 });
    const total = 120;
    const producing = (async () => {
      for (let i = 0; i < total; i += 4) {
        await producePartition(bus.url, topic, (i / 4) % 2, [0, 1, 2, 3].map((j) => ({ value: i + j })));
        await new Promise((r) => setTimeout(r, 60)); // ~2 s: spans recycles
      }
    })();
    const seen = new Map<number, number[]>([[0, []], [1, []]]);
    let count = 0;
    for await (const record of consumer) {
      seen.get(record.partition)!.push(record.offset);
      if (++count === total) break;
    }
    await producing;
    await client.close();
    for (const offsets of seen.values()) expect(offsets).toEqual(Array.from({ length: total / 2 }, (_, i) => i));
  });
});
