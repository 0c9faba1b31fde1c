import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/protocol/codec.ts";
import { partitionForKey } from "../../src/protocol/partitioner.ts";
import { call, createTopic, fetchAll, sendJson, uniqueTopic } from "./support.ts";

describe("produce and fetch", () => {
  it("round-trips JSON values, binary keys and values and headers byte for byte", async () => {
    const name = uniqueTopic();
    await createTopic(name);
    const records = [
      { key: "user-1", value: { page: "/", n: 1.5, list: [true, null, "ü\u0000\ud83d\ude00"] }, headers: { h: "v", "": "" } },
      { keyBase64: "AAH/", valueBase64: "AAECA/8=" },
      { value: null },
      { key: "\ud800lone", value: "\u2028" },
    ];
    const res = await sendJson("POST", `/v1/topics/${name}/records`, { records });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).offsets).toEqual([0, 1, 2, 3].map((offset) => ({ partition: 0, offset })));
    const fetched = (await fetchAll(name, 0)).records;
    expect(fetched.map(({ offset, timestamp, ...rest }: any) => rest)).toEqual([
      { key: "user-1", value: records[0]!.value, headers: { h: "v", "": "" } },
      { keyBase64: "AAH/", valueBase64: "AAECA/8=", headers: {} },
      { key: null, value: null, headers: {} },
      { key: "\ud800lone", value: "\u2028", headers: {} },
    ]);
  });

  it("partitions keyed records as the Java client does and keeps per-key order", async () => {
    const name = uniqueTopic();
    await createTopic(name, { partitions: 5 });
    const keys = ["alice", "bob", "carol", "dave", "erin", "frank"];
    const records = Array.from({ length: 60 }, (_, i) => ({ key: keys[i % keys.length]!, value: i }));
    const res = await sendJson("POST", `/v1/topics/${name}/records`, { records });
    const { offsets } = await res.json<any>();
    records.forEach((r, i) => expect(offsets[i].partition).toBe(partitionForKey(utf8(r.key), 5)));
    for (let p = 0; p < 5; p++) {
      const got = (await fetchAll(name, p)).records;
      for (const key of keys.filter((k) => partitionForKey(utf8(k), 5) === p)) {
        const values = got.filter((r: any) => r.key === key).map((r: any) => r.value);
        expect(values).toEqual(records.filter((r) => r.key === key).map((r) => r.value));
      }
    }
  });

  it("sends a keyless batch to one partition and moves on for the next batch", async () => {
    const name = uniqueTopic();
    await createTopic(name, { partitions: 4 });
    const first = await (await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ value: 1 }, { value: 2 }, { value: 3 }] })).json<any>();
    const partitions = new Set(first.offsets.map((o: any) => o.partition));
    expect(partitions.size).toBe(1);
    const second = await (await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ value: 4 }] })).json<any>();
    expect(second.offsets[0].partition).not.toBe(first.offsets[0].partition);
  });

  it("honours an explicit partition and a create timestamp", async () => {
    const name = uniqueTopic();
    await createTopic(name, { partitions: 3 });
    const res = await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ key: "k", value: 1, partition: 2, timestamp: 1234 }] });
    expect((await res.json<any>()).offsets).toEqual([{ partition: 2, offset: 0 }]);
    expect((await fetchAll(name, 2)).records[0]).toMatchObject({ timestamp: 1234, key: "k" });
  });

  it("fetches with maxRecords and seeks by timestamp over HTTP", async () => {
    const name = uniqueTopic();
    await createTopic(name);
    const records = Array.from({ length: 10 }, (_, i) => ({ value: i, timestamp: 1000 + i * 10 }));
    await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, { records });
    const page = await (await call(`/v1/topics/${name}/partitions/0/records?offset=2&maxRecords=3`)).json<any>();
    expect(page.records.map((r: any) => r.value)).toEqual([2, 3, 4]);
    expect(page).toMatchObject({ nextOffset: 5, highWatermark: 10, logStartOffset: 0 });
    const seek = await (await call(`/v1/topics/${name}/partitions/0/records?timestamp=1045&maxRecords=1`)).json<any>();
    expect(seek.records[0]).toMatchObject({ offset: 5, value: 5 });
    const latest = await (await call(`/v1/topics/${name}/partitions/0/records?offset=latest`)).json<any>();
    expect(latest).toMatchObject({ records: [], nextOffset: 10 });
  });

  it("deduplicates an idempotent producer's retry over HTTP", async () => {
    const name = uniqueTopic();
    await createTopic(name);
    const headers = { "Producer-Id": "web-1", "Producer-Epoch": "0", "Producer-Seq": "0" };
    const body = { records: [{ value: "a" }, { value: "b" }] };
    const first = await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, body, headers);
    const retry = await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, body, headers);
    expect(await first.json()).toEqual({ offsets: [{ partition: 0, offset: 0 }, { partition: 0, offset: 1 }] });
    expect(await retry.json()).toEqual({ offsets: [{ partition: 0, offset: 0 }, { partition: 0, offset: 1 }], duplicate: true });
    const gap = await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, body, { ...headers, "Producer-Seq": "5" });
    expect(gap.status).toBe(409);
    expect(await gap.json()).toMatchObject({ error: { code: "OUT_OF_ORDER_SEQUENCE", expectedSeq: 1 } });
    const bump = await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, body, { ...headers, "Producer-Epoch": "1" });
    expect(bump.status).toBe(200);
    const fenced = await sendJson("POST", `/v1/topics/${name}/partitions/0/records`, body, { ...headers, "Producer-Seq": "1" });
    expect(fenced.status).toBe(403);
    expect(await fenced.json()).toMatchObject({ error: { code: "PRODUCER_FENCED", currentEpoch: 1 } });
    expect((await fetchAll(name, 0)).highWatermark).toBe(4);
  });

  it("serves health and an OpenAPI document generated from the schemas", async () => {
    expect(await (await call("/v1/health")).json()).toMatchObject({ status: "ok", version: expect.any(String) });
    const doc = await (await call("/v1/openapi.json")).json<any>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/topics", "/v1/topics/{topic}", "/v1/topics/{topic}/records", "/v1/topics/{topic}/partitions/{partition}/records"]),
    );
    expect(doc.components.schemas.ProduceRecord).toBeDefined();
  });
});
