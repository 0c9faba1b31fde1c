// The client's admin API against the real bus: what the CLI and the
// dashboard are built on. Each call is checked against the raw HTTP answer.
import { describe, expect, inject, it } from "vitest";
import { createClient, EdgelogError } from "../../src/index.ts";
import { call, producePartition, uniqueTopic } from "../support/api.ts";

const BUS = inject("busUrl");
const client = createClient({ url: BUS, outbox: "memory" });

describe("client.admin", () => {
  it("creates, lists, describes, alters and deletes a topic", async () => {
    const topic = uniqueTopic("admin");
    const created = await client.admin.createTopic(topic, { partitions: 2 });
    expect(created.partitions).toHaveLength(2);
    // Idempotent create; a different config is refused with the bus's code.
    await client.admin.createTopic(topic, { partitions: 2 });
    await expect(client.admin.createTopic(topic, { partitions: 3 })).rejects.toMatchObject({ code: "TOPIC_ALREADY_EXISTS", status: 409 });

    const { topics } = await client.admin.listTopics();
    expect(topics.map((t) => t.name)).toContain(topic);

    await producePartition(BUS, topic, 1, [{ value: "a" }, { value: "b" }]);
    const described = await client.admin.describeTopic(topic);
    expect(described.partitions[1]).toMatchObject({ highWatermark: 2, records: 2 });

    const altered = await client.admin.alterTopic(topic, { partitions: 4, retentionMs: 60_000 });
    expect(altered.config).toMatchObject({ partitions: 4, retentionMs: 60_000 });

    expect(await client.admin.deleteRecords(topic, 1, 1)).toEqual({ logStartOffset: 1 });

    await client.admin.deleteTopic(topic);
    expect((await call(BUS, "GET", `/v1/topics/${topic}`)).status).toBe(404);
  });

  it("answers unknown names with the bus's error codes", async () => {
    const err = await client.admin.describeTopic(uniqueTopic("missing")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgelogError);
    expect(err).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION", status: 404, retriable: false });
    await expect(client.admin.describeGroup(uniqueTopic("no-group"))).rejects.toMatchObject({ code: "GROUP_ID_NOT_FOUND" });
  });

  it("resets an empty group's offsets and describes its lag", async () => {
    const topic = uniqueTopic("admin-group");
    const group = uniqueTopic("g");
    await client.admin.createTopic(topic, { partitions: 1 });
    await producePartition(BUS, topic, 0, [{ value: 1 }, { value: 2 }, { value: 3 }]);
    const { offsets } = await client.admin.resetOffsets(group, { topic, to: { offset: 1 } });
    expect(offsets).toMatchObject([{ topic, partition: 0, offset: 1 }]);
    const described = await client.admin.describeGroup(group);
    expect(described).toMatchObject({ group, state: "Empty", totalLag: 2 });
    expect((await client.admin.listGroups()).groups.map((g) => g.group)).toContain(group);
    await client.admin.deleteGroup(group);
    await expect(client.admin.describeGroup(group)).rejects.toMatchObject({ code: "GROUP_ID_NOT_FOUND" });
  });

  it("reads the bus's health", async () => {
    expect(await client.admin.health()).toMatchObject({ status: "ok" });
  });
});
