import { describe, expect, it } from "vitest";
import { call, createTopic, sendJson, uniqueTopic } from "./support.ts";

// Inside workerd the SSE body is read (or not) by the test itself, so a
// client that stops reading is really slow: no proxy or socket buffer in
// between soaks up the backlog.

const decoder = new TextDecoder();

async function readAll(body: ReadableStream<Uint8Array>): Promise<string[]> {
  let text = "";
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text.split("\n\n").filter((e) => e.includes("event: "));
}

describe("a live subscriber that stops reading", () => {
  it("is cut off with the position to resume from, and resuming there loses nothing", async () => {
    const name = uniqueTopic("slow");
    await createTopic(name);
    const res = await call(`/v1/topics/${name}/partitions/0/records?offset=earliest`, { headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(200);
    // Not read until everything is produced: ~6 MB against a 4 MiB subscriber buffer.
    const value = "x".repeat(1000);
    const batches = 60;
    const perBatch = 100;
    for (let i = 0; i < batches; i++) {
      const records = Array.from({ length: perBatch }, (_, j) => ({ value: `${i * perBatch + j} ${value}` }));
      expect((await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, { records })).status).toBe(200);
    }
    const events = await readAll(res.body!);
    const last = events.at(-1)!;
    expect(last).toContain("event: cutoff");
    const cutoff = JSON.parse(last.slice(last.indexOf("data: ") + 6));
    expect(cutoff.reason).toBe("slow subscriber");
    const delivered = events.filter((e) => e.includes("event: record")).length;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(batches * perBatch);
    expect(cutoff.positions).toBe(`0:${delivered}`);

    const resumed = await call(`/v1/topics/${name}/partitions/0/records?offset=${delivered}`, { headers: { accept: "text/event-stream" } });
    const reader = resumed.body!.getReader();
    const rest: number[] = [];
    let text = "";
    while (rest.length < batches * perBatch - delivered) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      text += decoder.decode(chunk, { stream: true });
      const parts = text.split("\n\n");
      text = parts.pop()!;
      for (const e of parts.filter((p) => p.includes("event: record"))) {
        rest.push(Number(JSON.parse(e.slice(e.indexOf("data: ") + 6)).value.split(" ")[0]));
      }
    }
    await reader.cancel();
    expect(rest).toEqual(Array.from({ length: batches * perBatch - delivered }, (_, i) => delivered + i));
  });
});
