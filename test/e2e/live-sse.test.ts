import { describe, expect, inject, it } from "vitest";
import { createTopic, producePartition, uniqueTopic } from "../support/api.ts";
import { openSse } from "../support/sse.ts";

const url = () => inject("busUrl");
const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ value: from + i }));
const values = (events: { event?: string; data: string }[]) =>
  events.filter((e) => e.event === "record").map((e) => JSON.parse(e.data).value as number);

describe("SSE on one partition", () => {
  it("catches up, then goes live, with event id = offset", async () => {
    const topic = uniqueTopic("sse");
    await createTopic(url(), topic, {});
    await producePartition(url(), topic, 0, records(0, 5));
    const sse = await openSse(`${url()}/v1/topics/${topic}/partitions/0/records?offset=2`);
    expect(sse.status).toBe(200);
    const catchUp = await sse.until((e) => values(e).length === 3);
    expect(values(catchUp)).toEqual([2, 3, 4]);
    expect(catchUp.filter((e) => e.event === "record").map((e) => e.id)).toEqual(["2", "3", "4"]);
    await producePartition(url(), topic, 0, records(5, 2));
    const live = await sse.until((e) => values(e).length === 2);
    expect(values(live)).toEqual([5, 6]);
    sse.close();
  });

  it("resumes after Last-Event-ID with no gap and no duplicate while records keep coming", async () => {
    const topic = uniqueTopic("sse-resume");
    await createTopic(url(), topic, {});
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing && produced < 400) {
        await producePartition(url(), topic, 0, records(produced, 4));
        produced += 4;
      }
    })();
    const seen: number[] = [];
    let lastId: string | undefined;
    // Five connections in a row, each dropped after a few events.
    for (let round = 0; round < 5; round++) {
      const sse = await openSse(`${url()}/v1/topics/${topic}/partitions/0/records?offset=earliest`, lastId);
      const events = await sse.until((e) => values(e).length >= 15);
      sse.close();
      for (const e of events.filter((x) => x.event === "record")) {
        seen.push(JSON.parse(e.data).value);
        lastId = e.id;
      }
    }
    producing = false;
    await producer;
    const sse = await openSse(`${url()}/v1/topics/${topic}/partitions/0/records`, lastId);
    const rest = await sse.until((e) => values(e).at(-1) === produced - 1);
    sse.close();
    seen.push(...values(rest));
    expect(seen).toEqual(Array.from({ length: produced }, (_, i) => i));
  });

  it("refuses bad requests with a 4xx before the stream starts", async () => {
    const topic = uniqueTopic("sse-bad");
    await createTopic(url(), topic, {});
    await producePartition(url(), topic, 0, records(0, 3));
    const cases: [string, string | undefined, number][] = [
      [`/v1/topics/no-such-${topic}/partitions/0/records`, undefined, 404],
      [`/v1/topics/${topic}/partitions/3/records`, undefined, 404],
      [`/v1/topics/${topic}/partitions/0/records?offset=-4`, undefined, 400],
      [`/v1/topics/${topic}/partitions/0/records?offset=99`, undefined, 416],
      [`/v1/topics/${topic}/partitions/0/records`, "not-an-offset", 400],
      [`/v1/topics/${topic}/partitions/0/records`, "500", 416],
      [`/v1/topics/${topic}/records?from=middle`, undefined, 400],
      [`/v1/topics/${topic}/records?partitions=0,4`, undefined, 404],
      [`/v1/topics/${topic}/records`, "0:x", 400],
      [`/v1/topics/${topic}/records?offsets=0:77`, undefined, 416],
    ];
    for (const [path, lastEventId, status] of cases) {
      const res = await fetch(`${url()}${path}`, {
        headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      });
      expect([path, lastEventId, res.status]).toEqual([path, lastEventId, status]);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
    }
  });
});

describe("SSE over a topic", () => {
  it("follows all partitions on one connection, ordered per partition, resumable by id vector", async () => {
    const topic = uniqueTopic("sse-topic");
    await createTopic(url(), topic, { partitions: 3 });
    const sse = await openSse(`${url()}/v1/topics/${topic}/records?from=earliest`);
    for (let round = 0; round < 10; round++) {
      await Promise.all([0, 1, 2].map((p) => producePartition(url(), topic, p, [{ value: `${p}-${round}` }])));
    }
    const events = (await sse.until((e) => e.length >= 30)).filter((e) => e.event === "record");
    sse.close();
    for (const p of [0, 1, 2]) {
      const mine = events.map((e) => JSON.parse(e.data)).filter((r) => r.partition === p);
      expect(mine.map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `${p}-${i}`));
      expect(mine.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    // The last id carries every partition's position; resuming from a middle id
    // delivers exactly what came after it.
    expect(events.at(-1)!.id!.split(",").sort()).toEqual(["0:10", "1:10", "2:10"]);
    const middle = events[14]!;
    const resumed = await openSse(`${url()}/v1/topics/${topic}/records`, middle.id);
    const after = (await resumed.until((e) => e.length >= 15)).map((e) => JSON.parse(e.data));
    resumed.close();
    const expected = events.slice(15).map((e) => JSON.parse(e.data));
    const key = (r: { partition: number; offset: number }) => `${r.partition}:${r.offset}`;
    expect(after.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it("delivers every record to 200 concurrent subscribers of one partition", async () => {
    const topic = uniqueTopic("sse-fanout");
    await createTopic(url(), topic, {});
    const subscribers = await Promise.all(
      Array.from({ length: 200 }, () => openSse(`${url()}/v1/topics/${topic}/partitions/0/records?offset=latest`)),
    );
    expect(subscribers.every((s) => s.status === 200)).toBe(true);
    // A steady 1,000 records/s, as a live workload sends them: every batch
    // reaches the leader while earlier ones are still being fanned out.
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      sent.push(producePartition(url(), topic, 0, records(i * 10, 10)));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(sent);
    const received = await Promise.all(subscribers.map((s) => s.until((e) => values(e).length >= 1000, 60_000)));
    subscribers.forEach((s) => s.close());
    // Concurrent produce requests may reach the leader in any order: the
    // log's order is the offsets'. Every subscriber sees offsets 0..999 in
    // order, each with the value the log holds there.
    const log = await fetch(`${url()}/v1/topics/${topic}/partitions/0/records?offset=0&maxRecords=1000`).then((r) => r.json() as Promise<{ records: { offset: number; value: number }[] }>);
    const inLog = log.records.map((r) => r.value);
    expect([...inLog].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const wrong = received
      .map((events) => events.filter((e) => e.event === "record"))
      .filter((events) => events.length !== 1000 || events.some((e, i) => e.id !== String(i) || JSON.parse(e.data).value !== inLog[i]))
      .map((events) => `${events.length} records, ids ${events[0]?.id}..${events.at(-1)?.id}`);
    expect(wrong).toEqual([]);
  });
});

describe("WebSocket over a topic", () => {
  it("streams batches from several partitions over one socket", async () => {
    const topic = uniqueTopic("ws-topic");
    await createTopic(url(), topic, { partitions: 2 });
    await producePartition(url(), topic, 1, records(0, 3));
    const ws = new WebSocket(`${url().replace("http", "ws")}/v1/topics/${topic}/records?from=earliest`);
    const messages: { partition: number; nextOffset: number; records: { value: number }[] }[] = [];
    ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve);
      ws.addEventListener("error", reject);
    });
    await producePartition(url(), topic, 0, records(10, 2));
    await producePartition(url(), topic, 1, records(3, 1));
    const deadline = Date.now() + 10_000;
    const count = () => messages.reduce((n, m) => n + m.records.length, 0);
    while (count() < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    const byPartition = (p: number) => messages.filter((m) => m.partition === p).flatMap((m) => m.records.map((r) => r.value));
    expect(byPartition(0)).toEqual([10, 11]);
    expect(byPartition(1)).toEqual([0, 1, 2, 3]);
    expect(messages.filter((m) => m.partition === 1).at(-1)!.nextOffset).toBe(4);
  });
});
