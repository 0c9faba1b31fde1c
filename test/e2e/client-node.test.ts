// The client in Node against the real bus: exactly once through a proxy that
// loses requests and responses, a file outbox surviving SIGKILL, fencing,
// dead letters, consumer positions and the tracker.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createClient, type ClientEventMap } from "../../src/index.ts";
import { readAll as readAllRecords } from "../support/api.ts";
import type { ConsumedRecord } from "../../src/protocol/types.ts";

const BUS = inject("busUrl");
const ENTRY = pathToFileURL(resolve(import.meta.dirname, "../../src/index.ts")).href;
let topicCount = 0;

async function createTopic(config: Record<string, unknown> = {}): Promise<string> {
  const name = `client-node-${process.pid}-${++topicCount}`;
  const res = await fetch(`${BUS}/v1/topics/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(config),
  });
  expect(res.status).toBe(201);
  return name;
}

/** Every record of the topic, per partition, read back over HTTP. */
const readAll = (topic: string) => readAllRecords(BUS, topic);

/** Every value once, and per key in the order sent. */
function expectExactlyOnce(partitions: ConsumedRecord[][], expected: { key: string; n: number }[]): void {
  const got = partitions.flat().map((r) => r.value as { key: string; n: number });
  const ids = got.map((v) => `${v.key}/${v.n}`);
  expect(new Set(ids).size, "no duplicates").toBe(ids.length);
  expect(ids.sort()).toEqual(expected.map((v) => `${v.key}/${v.n}`).sort());
  for (const records of partitions) {
    const lastByKey = new Map<string, number>();
    for (const r of records) {
      const v = r.value as { key: string; n: number };
      expect(v.n, `order of key ${v.key}`).toBeGreaterThan(lastByKey.get(v.key) ?? -1);
      lastByKey.set(v.key, v.n);
    }
  }
}

type Action = "pass" | "drop-request" | "drop-response" | "hold" | "unavailable";

/** A proxy in front of the bus that loses what it is told to lose; it counts duplicate answers. */
async function lossyProxy(decide: (req: IncomingMessage, produceIndex: number) => Action) {
  let produces = 0;
  let duplicates = 0;
  const held: ServerResponse[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isProduce = req.method === "POST" && /\/partitions\/\d+\/records$/.test(req.url ?? "");
    const action = isProduce ? decide(req, produces++) : "pass";
    if (action === "drop-request") return req.socket.destroy();
    if (action === "unavailable") {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "0" });
      return res.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "try later", retriable: true } }));
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
    const upstream = await fetch(BUS + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const text = await upstream.text();
    if (isProduce && upstream.ok && (JSON.parse(text) as { duplicate?: boolean }).duplicate) duplicates++;
    if (action === "drop-response") return req.socket.destroy(); // committed, answer lost
    if (action === "hold") return void held.push(res); // committed, answer never comes
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(text);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ produces, duplicates }),
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function outboxFile(): string {
  return join(mkdtempSync(join(tmpdir(), "edgelog-client-")), "outbox.journal");
}

const proxies: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const p of proxies) await p.close();
});

describe("exactly once in Node", () => {
  it("delivers every record once, in order per key, while requests and responses are lost", async () => {
    const topic = await createTopic({ partitions: 3 });
    const actions: Action[] = ["drop-request", "drop-response", "pass", "unavailable", "drop-response", "pass"];
    const proxy = await lossyProxy((_req, i) => (i < 60 ? actions[i % actions.length]! : "pass"));
    proxies.push(proxy);
    const client = createClient({ url: proxy.url, outbox: "memory", maxBatchRecords: 40, requestTimeoutMs: 5_000, backoff: { baseMs: 10, capMs: 100 } });
    const producer = client.producer({ topic });
    const expected = Array.from({ length: 1_500 }, (_, n) => ({ key: `user-${n % 7}`, n }));
    for (let i = 0; i < expected.length; i += 100) {
      await producer.send(expected.slice(i, i + 100).map((v) => ({ key: v.key, value: v })));
    }
    await producer.flush({ timeoutMs: 50_000 });
    expectExactlyOnce(await readAll(topic), expected);
    expect(proxy.stats().duplicates, "resends of committed batches were deduplicated").toBeGreaterThan(0);
    expect((await client.stats()).acked).toBe(1_500);
    await client.close();
  });

  it("a file outbox survives SIGKILL after send() resolved, and a new process delivers exactly once", async () => {
    const topic = await createTopic({ partitions: 2 });
    // Requests reach the bus and commit, but the answers never come back before the kill.
    const proxy = await lossyProxy(() => "hold");
    proxies.push(proxy);
    const file = outboxFile();
    const script = `
      import { createClient } from ${JSON.stringify(ENTRY)};
      const client = createClient({ url: ${JSON.stringify(proxy.url)}, outbox: { file: ${JSON.stringify(file)} }, maxBatchRecords: 50 });
      const producer = client.producer({ topic: ${JSON.stringify(topic)} });
      const sends = [];
      for (let n = 0; n < 400; n++) sends.push(producer.send({ key: "k" + (n % 5), value: { key: "k" + (n % 5), n } }));
      await Promise.all(sends);
      console.log("DURABLE");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr.on("data", (d) => (output += d));
    await new Promise<void>((resolveDurable, reject) => {
      child.stdout.on("data", (d) => {
        output += d;
        if (output.includes("DURABLE")) resolveDurable();
      });
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before DURABLE: ${output}`)));
    });
    // Let some sealed batches reach the bus (held, so unacknowledged), then crash.
    const deadline = Date.now() + 10_000;
    while (proxy.stats().produces < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.stats().produces).toBeGreaterThanOrEqual(2);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const committedBeforeCrash = (await readAll(topic)).flat().length;
    expect(committedBeforeCrash, "the held requests committed on the bus").toBeGreaterThan(0);

    const watching = await lossyProxy(() => "pass");
    proxies.push(watching);
    const client = createClient({ url: watching.url, outbox: { file } });
    await client.flush({ timeoutMs: 30_000 });
    const expected = Array.from({ length: 400 }, (_, n) => ({ key: `k${n % 5}`, n }));
    expectExactlyOnce(await readAll(topic), expected);
    // Every batch that committed before the crash was resent with its original tuple, and recognised.
    expect(watching.stats().duplicates).toBe(proxy.stats().produces);

    // The new process leads with epoch + 1; once it has written to a partition, the dead one's epoch is fenced there.
    await client.producer({ topic }).send({ key: "late", value: { key: "late", n: 0 }, partition: 0 });
    await client.flush();
    expected.push({ key: "late", n: 0 });
    expectExactlyOnce(await readAll(topic), expected);
    const stats = await client.stats();
    expect(stats.epoch).toBeGreaterThan(0);
    const res = await fetch(`${BUS}/v1/topics/${topic}/partitions/0/records`, {
      method: "POST",
      headers: { "content-type": "application/json", "Producer-Id": stats.producerId!, "Producer-Epoch": String(stats.epoch! - 1), "Producer-Seq": "99" },
      body: JSON.stringify({ records: [{ value: "zombie" }] }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("PRODUCER_FENCED");
    await client.close();
  }, 60_000);
});

describe("failures are surfaced, never silent", () => {
  it("a record the topic refuses is dead-lettered alone; flush() names it; the rest arrive", async () => {
    const topic = await createTopic({ partitions: 1, maxMessageBytes: 200 });
    const client = createClient({ url: BUS, outbox: "memory" });
    const errors: ClientEventMap["error"][] = [];
    client.on("error", (e) => errors.push(e));
    const producer = client.producer({ topic });
    const { ids } = await producer.send([
      { key: "a", value: { key: "a", n: 0 } },
      { key: "a", value: { key: "a", n: 1, pad: "x".repeat(300) } },
      { key: "a", value: { key: "a", n: 2 } },
    ]);
    const failure = await producer.flush().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: "MESSAGE_TOO_LARGE", retriable: false, records: [{ id: ids[1], topic }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.records.map((r) => r.id)).toEqual([ids[1]]);
    expect(errors[0]!.records[0]!.record.value).toMatchObject({ n: 1 });
    const stored = (await readAll(topic)).flat().map((r) => (r.value as { n: number }).n);
    expect(stored).toEqual([0, 2]);
    const [letter] = await client.deadLetters();
    expect(letter).toMatchObject({ topic, maybeDelivered: false });
    expect(await client.discardDeadLetters()).toBe(1);
    await producer.flush();
    expect((await client.stats()).deadLettered).toBe(1);
    await client.close();
  });

  it("records for a topic that does not exist become dead letters with UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const client = createClient({ url: BUS, outbox: "memory" });
    const producer = client.producer({ topic: `missing-${process.pid}` });
    const seen = new Promise<ClientEventMap["error"]>((r) => client.on("error", r));
    await producer.send([{ value: 1 }, { value: 2 }]);
    await expect(producer.flush()).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    expect((await seen).records).toHaveLength(2);
    await client.close();
  });

  it("send() refuses a bad record at once and stores nothing", async () => {
    const client = createClient({ url: BUS, outbox: "memory" });
    const producer = client.producer({ topic: "whatever" });
    await expect(producer.send({ key: "k" } as never)).rejects.toMatchObject({ code: "INVALID_RECORD" });
    expect((await client.stats()).pending).toBe(0);
    expect(() => client.producer({ topic: "bad name!" })).toThrow(expect.objectContaining({ code: "INVALID_TOPIC" }));
    await client.close();
  });
});

describe("consumer and tracker in Node", () => {
  it("resumes from the stored position in a new process (file outbox)", async () => {
    const topic = await createTopic({ partitions: 2 });
    const file = outboxFile();
    const writer = createClient({ url: BUS, outbox: "memory" });
    const expected = Array.from({ length: 300 }, (_, n) => ({ key: `k${n % 4}`, n }));
    await writer.producer({ topic }).send(expected.map((v) => ({ key: v.key, value: v })));
    await writer.flush();
    await writer.close();

    const seen: string[] = [];
    const first = createClient({ url: BUS, outbox: { file } });
    for await (const r of first.consumer({ topic, from: "earliest", id: "reader", waitMs: 200 })) {
      seen.push(`${r.partition}/${r.offset}`);
      if (seen.length === 120) break;
    }
    await first.close();

    const second = createClient({ url: BUS, outbox: { file } });
    const consumer = second.consumer({ topic, from: "earliest", id: "reader", waitMs: 200 });
    for await (const r of consumer) {
      seen.push(`${r.partition}/${r.offset}`);
      if (seen.length === 300) break;
    }
    await second.close();
    expect(new Set(seen).size, "nothing consumed twice across the restart").toBe(300);
  });

  it("live: a waiting consumer gets records produced after it started, from 'latest'", async () => {
    const topic = await createTopic({ partitions: 1 });
    const client = createClient({ url: BUS, outbox: "memory" });
    const old = client.producer({ topic });
    await old.send({ value: "before" });
    await old.flush();
    const consumer = client.consumer({ topic, from: "latest", waitMs: 5_000 });
    const next = consumer.next();
    await new Promise((r) => setTimeout(r, 300));
    await old.send({ value: "after" });
    const { value } = await next;
    expect(value?.value).toBe("after");
    await consumer.close();
    await client.close();
  });

  it("track() sends the event with its context, keyed by a persisted anonymous id", async () => {
    const topic = await createTopic({ partitions: 2 });
    const file = outboxFile();
    const first = createClient({ url: BUS, outbox: { file } });
    await first.tracker({ topic, context: () => ({ app: "test" }) })("signup", { plan: "pro" });
    await first.flush();
    await first.close();
    const second = createClient({ url: BUS, outbox: { file } });
    await second.tracker({ topic })("login");
    await second.flush();
    await second.close();
    const events = (await readAll(topic)).flat().sort((a, b) => a.timestamp - b.timestamp);
    expect(events.map((e) => (e.value as { event: string }).event)).toEqual(["signup", "login"]);
    const [signup, login] = events.map((e) => e.value as Record<string, unknown>);
    expect(signup).toMatchObject({ event: "signup", properties: { plan: "pro" }, app: "test", url: null, referrer: null });
    expect(typeof signup!.sessionId).toBe("string");
    expect(login!.anonymousId).toBe(signup!.anonymousId);
    expect(events[0]!.key).toBe(signup!.anonymousId);
    expect(events[0]!.timestamp).toBe(signup!.timestamp);
  });
});
