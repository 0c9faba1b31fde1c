import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLOSE_SLOW } from "../../worker/durable/partition-leader/subscribers.ts";
import { call, createTopic, sendJson, uniqueTopic } from "./support.ts";

async function topicId(name: string): Promise<string> {
  return (await (await call(`/v1/topics/${name}`)).json<{ topicId: string }>()).topicId;
}

/** Reads SSE text from a response until `pattern` has appeared `times` times. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: string, times: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (text.split(pattern).length - 1 < times) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended; got:\n${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe("live delivery through hibernatable WebSockets", () => {
  it("delivers to a subscriber after its leader was evicted and recreated", async () => {
    const name = uniqueTopic("hib");
    await createTopic(name);
    await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, { records: [{ value: "before" }] });
    const res = await call(`/v1/topics/${name}/partitions/0/records?offset=earliest`, { headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(await readUntil(reader, "event: record", 1)).toContain('"value":"before"');

    const leader = env.PARTITION_LEADER.getByName(`${await topicId(name)}/0`);
    // The subscription is a hibernatable WebSocket accepted by the leader.
    const subscribers = await runInDurableObject(leader, (_, state) => state.getWebSockets("subscriber").length);
    expect(subscribers).toBe(1);
    await evictDurableObject(leader); // hibernates the socket, drops the instance

    await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, { records: [{ value: "after" }] });
    const text = await readUntil(reader, "event: record", 1);
    expect(text).toContain('"value":"after"');
    expect(text).toContain("id: 1\n");
    await reader.cancel();
  });

  it("cuts off a subscriber that stops acknowledging instead of buffering without bound", async () => {
    const name = uniqueTopic("unacked");
    await createTopic(name);
    const leader = env.PARTITION_LEADER.getByName(`${await topicId(name)}/0`);
    const res = await leader.fetch("https://leader/subscribe?from=0", { headers: { Upgrade: "websocket" } });
    const ws = res.webSocket!;
    ws.accept();
    let frames = 0;
    ws.addEventListener("message", () => {
      frames++;
    });
    const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
    const big = "y".repeat(100_000);
    // The default buffer is 4 MiB: 50 batches of ~1 MB leave no doubt.
    for (let i = 0; i < 50; i++) {
      await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, { records: Array.from({ length: 10 }, () => ({ value: big })) });
    }
    expect(await closed).toBe(CLOSE_SLOW);
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(50);
  });
});

describe("fan-out batching", () => {
  it("sends many subscribers fewer frames than batches under load, every record once and in order", async () => {
    const name = uniqueTopic("fanout");
    await createTopic(name);
    const leader = env.PARTITION_LEADER.getByName(`${await topicId(name)}/0`);
    const links = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const res = await leader.fetch("https://leader/subscribe?from=0", { headers: { Upgrade: "websocket" } });
        const ws = res.webSocket!;
        ws.accept();
        const link = { frames: 0, offsets: [] as number[], values: [] as number[] };
        ws.addEventListener("message", ({ data }) => {
          const text = String(data);
          link.frames++;
          const lines = text.slice(text.indexOf("\n") + 1).split("\n");
          for (const line of lines) {
            const record = JSON.parse(line) as { offset: number; value: number };
            link.offsets.push(record.offset);
            link.values.push(record.value);
          }
        });
        return link;
      }),
    );
    // 100 one-record batches, as fast as the leader takes them.
    await Promise.all(Array.from({ length: 100 }, (_, i) => leader.append({ bodies: [`"key":null,"value":${i},"headers":{}`] })));
    const log = await leader.read({ from: "earliest", maxRecords: 100, maxBytes: 1 << 20, waitMs: 0 });
    if (!log.ok) throw new Error(log.error.message);
    const inLog = (JSON.parse(`[${log.records}]`) as { value: number }[]).map((r) => r.value);
    await expect.poll(() => links.every((l) => l.offsets.length >= 100), { timeout: 10_000 }).toBe(true);
    for (const link of links) {
      expect(link.offsets).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(link.values).toEqual(inLog);
      expect(link.frames).toBeLessThan(100);
    }
  });
});
