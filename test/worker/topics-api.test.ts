import { describe, expect, it } from "vitest";
import { DEFAULT_TOPIC_CONFIG } from "../../src/protocol/limits.ts";
import { call, createTopic, fetchAll, sendJson, uniqueTopic } from "./support.ts";

describe("topic admin", () => {
  it("creates with 201, answers an identical create with 200 and a different one with 409", async () => {
    const name = uniqueTopic();
    const created = await sendJson("PUT", `/v1/topics/${name}`, { partitions: 3, retentionMs: 60_000 });
    expect(created.status).toBe(201);
    const body = await created.json<any>();
    expect(body).toMatchObject({ name, config: { ...DEFAULT_TOPIC_CONFIG, partitions: 3, retentionMs: 60_000 } });
    expect(body.partitions).toHaveLength(3);
    const same = await sendJson("PUT", `/v1/topics/${name}`, { partitions: 3, retentionMs: 60_000 });
    expect(same.status).toBe(200);
    expect((await same.json<any>()).topicId).toBe(body.topicId);
    const different = await sendJson("PUT", `/v1/topics/${name}`, { partitions: 4 });
    expect(different.status).toBe(409);
    expect(await different.json()).toMatchObject({ error: { code: "TOPIC_ALREADY_EXISTS", retriable: false } });
  });

  it("creates with defaults when PUT has no body", async () => {
    const name = uniqueTopic();
    const res = await call(`/v1/topics/${name}`, { method: "PUT" });
    expect(res.status).toBe(201);
    expect((await res.json<any>()).config).toEqual(DEFAULT_TOPIC_CONFIG);
  });

  it("lists topics and describes partitions with offsets, record counts and bytes", async () => {
    const name = uniqueTopic();
    await createTopic(name, { partitions: 2 });
    await sendJson("POST", `/v1/topics/${name}/partitions/1/records`, { records: [{ value: "a" }, { value: "b" }] });
    const list = await (await call("/v1/topics")).json<any>();
    expect(list.topics.map((t: { name: string }) => t.name)).toContain(name);
    const described = await (await call(`/v1/topics/${name}`)).json<any>();
    expect(described.partitions[0]).toEqual({
      partition: 0,
      logStartOffset: 0,
      highWatermark: 0,
      records: 0,
      bytes: 0,
      bytesInSqlite: 0,
      bytesInR2: 0,
      segments: 0,
    });
    expect(described.partitions[1]).toMatchObject({ partition: 1, logStartOffset: 0, highWatermark: 2, records: 2 });
    expect(described.partitions[1].bytes).toBeGreaterThan(0);
  });

  it("changes config and adds partitions, but never removes them", async () => {
    const name = uniqueTopic();
    await createTopic(name, { partitions: 2 });
    const grown = await sendJson("PATCH", `/v1/topics/${name}`, { partitions: 5, cleanupPolicy: "compact" });
    expect(grown.status).toBe(200);
    const body = await grown.json<any>();
    expect(body.config).toMatchObject({ partitions: 5, cleanupPolicy: "compact" });
    expect(body.partitions).toHaveLength(5);
    const shrink = await sendJson("PATCH", `/v1/topics/${name}`, { partitions: 1 });
    expect(shrink.status).toBe(400);
    expect(await shrink.json()).toMatchObject({ error: { code: "INVALID_PARTITIONS" } });
    expect((await (await call(`/v1/topics/${name}`)).json<any>()).config.partitions).toBe(5);
    // The new partitions take records at once in this isolate (keyed: the topic is compacted now).
    const res = await sendJson("POST", `/v1/topics/${name}/partitions/4/records`, { records: [{ key: "k", value: 1 }] });
    expect(res.status).toBe(200);
  });

  it("deletes a topic and its records; a new topic of the same name starts empty", async () => {
    const name = uniqueTopic();
    await createTopic(name);
    await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ value: "old" }] });
    expect((await call(`/v1/topics/${name}`, { method: "DELETE" })).status).toBe(204);
    expect((await call(`/v1/topics/${name}`)).status).toBe(404);
    const again = await call(`/v1/topics/${name}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });
    const produce = await sendJson("POST", `/v1/topics/${name}/records`, { records: [{ value: "x" }] });
    expect(produce.status).toBe(404);
    await createTopic(name);
    expect((await fetchAll(name, 0)).records).toEqual([]);
  });
});
