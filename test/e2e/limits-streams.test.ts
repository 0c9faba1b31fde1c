/**
 * A live WebSocket lives no longer than EDGELOG_STREAM_MAX_MS, like an SSE
 * stream (test/e2e/live-limits.test.ts): it ends with a `recycle` message
 * carrying every partition's position, gives its subscriber slots back, and
 * the client resumes from the positions without loss or repeat. A bus of its
 * own with 1.5 s streams and one slot per partition.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

let bus: Bus;
beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_STREAM_MAX_MS: "1500", EDGELOG_MAX_SUBSCRIBERS_PER_PARTITION: "1" } });
});
afterAll(() => bus?.dispose());

type Message = { type: string; partition?: number; records?: { offset: number; value: number }[]; positions?: string };

/** One WebSocket connection from open to close: its messages, close code and lifetime. */
function follow(url: string): Promise<{ messages: Message[]; code: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    const messages: Message[] = [];
    let opened = 0;
    const timer = setTimeout(() => reject(new Error("the WebSocket was not recycled within 10 s")), 10_000);
    ws.addEventListener("open", () => (opened = Date.now()));
    ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
    ws.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)));
    ws.addEventListener("close", (e) => {
      clearTimeout(timer);
      resolve({ messages, code: e.code, ms: Date.now() - opened });
    });
  });
}

it("recycles a WebSocket after EDGELOG_STREAM_MAX_MS with its positions; resuming from them loses and repeats nothing", async () => {
  const topic = uniqueTopic("ws-recycle");
  await createTopic(bus.url, topic, { partitions: 2 });
  let produced = 0;
  const producing = (async () => {
    for (let i = 0; i < 40; i++) {
      await producePartition(bus.url, topic, i % 2, [{ value: i }]);
      produced++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const seen: number[] = [];
  let query = "from=earliest";
  let recycles = 0;
  for (let round = 0; round < 6; round++) {
    // Reconnecting at once finds the only slot free again.
    const { messages, code, ms } = await follow(`${bus.url}/v1/topics/${topic}/records?${query}`);
    const last = messages.at(-1)!;
    expect(last.type).toBe("recycle");
    expect(code).toBe(1000);
    expect(ms).toBeGreaterThanOrEqual(1_200);
    recycles++;
    for (const m of messages.filter((x) => x.type === "records")) seen.push(...m.records!.map((r) => r.value));
    query = `offsets=${last.positions}`;
    if (produced === 40 && seen.length === 40) break;
  }
  await producing;
  expect(recycles).toBeGreaterThanOrEqual(2);
  expect(seen.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
});
