/**
 * The Durable Streams face is a partition leader: one log, one producer
 * state machine, one transaction per append with the stream's metadata.
 */

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { streamTopicId } from "../../worker/durable/partition-leader/stream-rpc.ts";
import { call } from "./support.ts";

let n = 0;
const streamName = (prefix: string) => `${prefix}/${Date.now()}-${n++}`;
const leaderOf = (name: string) => env.PARTITION_LEADER.getByName(`${streamTopicId(name)}/0`);
const body = (value: unknown) => `"key":null,"value":${JSON.stringify(value)},"headers":{}`;

function put(name: string, contentType: string, data?: string): Promise<Response> {
  return call(`/v1/stream/${name}`, { method: "PUT", headers: { "content-type": contentType }, body: data });
}

function post(name: string, data: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/v1/stream/${name}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: data });
}

describe("a stream is a partition log", () => {
  it("takes appends from the face and from the leader's own append into one log, readable both ways", async () => {
    const name = streamName("shared");
    expect((await put(name, "application/json", '[{"n":0},{"n":1}]')).status).toBe(201);
    // The path a topic produce takes: the leader's append RPC.
    expect(await leaderOf(name).append({ bodies: [body({ n: 2 })] })).toMatchObject({ ok: true, baseOffset: 2, count: 1 });
    expect((await post(name, '{"n":3}')).status).toBe(204);

    const face = await call(`/v1/stream/${name}`);
    expect(await face.json()).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(face.headers.get("stream-next-offset")).toBe("0000000000000000_0000000000000004");

    const log = await leaderOf(name).read({ from: "earliest", maxRecords: 100, maxBytes: 1 << 20, waitMs: 0 });
    if (!log.ok) throw new Error(log.error.message);
    const records = JSON.parse(`[${log.records}]`) as { offset: number; key: null; value: unknown; headers: object }[];
    expect(records.map((r) => [r.offset, r.value])).toEqual([[0, { n: 0 }], [1, { n: 1 }], [2, { n: 2 }], [3, { n: 3 }]]);
    expect(records.every((r) => r.key === null && typeof (r as { timestamp?: number }).timestamp === "number")).toBe(true);
  });

  it("shares one idempotent producer state between the face and the leader's append", async () => {
    const name = streamName("producer");
    await put(name, "application/json");
    const as = (seq: number) => ({ "producer-id": "p", "producer-epoch": "0", "producer-seq": String(seq) });
    expect((await post(name, '{"seq":0}', as(0))).status).toBe(200);
    expect(await leaderOf(name).append({ bodies: [body({ seq: 1 })], producer: { producerId: "p", epoch: 0, seq: 1 } })).toMatchObject({
      ok: true,
      duplicate: false,
    });
    // The face sees seq 1 as taken: a retry of it is a duplicate, seq 3 a gap.
    const dup = await post(name, '{"seq":1}', as(1));
    expect(dup.status).toBe(204);
    expect(dup.headers.get("producer-seq")).toBe("1");
    const gap = await post(name, '{"seq":3}', as(3));
    expect(gap.status).toBe(409);
    expect(gap.headers.get("producer-expected-seq")).toBe("2");
    expect(await (await call(`/v1/stream/${name}`)).json()).toEqual([{ seq: 0 }, { seq: 1 }]);
  });
});

describe("stream metadata changes with its append", () => {
  it("leaves a stream open when the append that was to close it is refused", async () => {
    const name = streamName("close");
    await put(name, "text/plain");
    // 1 MiB of control characters: 6 MiB once escaped, more than a batch may store.
    const refused = await call(`/v1/stream/${name}`, {
      method: "POST",
      headers: { "content-type": "text/plain", "stream-closed": "true" },
      body: "\u0001".repeat(1024 * 1024),
    });
    expect(refused.status).toBe(413);
    const head = await call(`/v1/stream/${name}`, { method: "HEAD" });
    expect(head.headers.get("stream-closed")).toBeNull();
    expect(head.headers.get("stream-next-offset")).toBe("0000000000000000_0000000000000000");
    const closed = await call(`/v1/stream/${name}`, { method: "POST", headers: { "content-type": "text/plain", "stream-closed": "true" }, body: "last" });
    expect(closed.status).toBe(204);
    expect(closed.headers.get("stream-closed")).toBe("true");
    await runInDurableObject(leaderOf(name), (_, state) => {
      expect(state.storage.sql.exec("SELECT closed FROM stream_meta").one().closed).toBe(1);
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM batches").one().n).toBe(1);
    });
  });

  it("starts a stream created again after a delete past its old offsets", async () => {
    const name = streamName("again");
    await put(name, "text/plain", "old");
    const old = (await call(`/v1/stream/${name}`)).headers.get("stream-next-offset")!;
    expect((await call(`/v1/stream/${name}`, { method: "DELETE" })).status).toBe(204);
    expect((await put(name, "text/plain", "new")).status).toBe(201);
    const fresh = await call(`/v1/stream/${name}`);
    expect(await fresh.text()).toBe("new");
    // An offset from before the delete never names the new stream's data.
    const stale = await call(`/v1/stream/${name}?offset=0000000000000000_0000000000000000`);
    expect(stale.status).toBe(410);
    expect(fresh.headers.get("stream-next-offset")! > old).toBe(true);
  });
});

describe("a JSON stream keeps each message as sent", () => {
  it("reads back numbers a parse would change (beyond 2^53, -0, exponents) and the spacing, with line breaks dropped", async () => {
    const name = streamName("exact");
    expect((await put(name, "application/json", "[9007199254740993]")).status).toBe(201);
    expect((await post(name, '[ -0 , {"big": 12345678901234567890, "e": 1E3},\r\n"a\\u0000b" ]')).status).toBe(204);
    expect((await post(name, '{\n  "nested": [1.50, [2]]\n}')).status).toBe(204);
    const read = await call(`/v1/stream/${name}`);
    expect(await read.text()).toBe('[9007199254740993,-0,{"big": 12345678901234567890, "e": 1E3},"a\\u0000b",{  "nested": [1.50, [2]]}]');
  });

  it("flattens only one level, takes nesting deeper than the scanner follows, and refuses what is not JSON without storing it", async () => {
    const name = streamName("shapes");
    await put(name, "application/json");
    const deep = `${"[".repeat(100)}1${"]".repeat(100)}`;
    expect((await post(name, `[[1,2],${deep}]`)).status).toBe(204);
    for (const bad of ["[1,]", "[1] 2", "{'a':1}", "01", "[", ""]) {
      const res = await post(name, bad);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, bad).toBe("INVALID_REQUEST");
    }
    const empty = await post(name, "[ ]");
    expect(empty.status).toBe(400);
    expect(await (await call(`/v1/stream/${name}`)).json()).toEqual([[1, 2], JSON.parse(deep)]);
  });
});
