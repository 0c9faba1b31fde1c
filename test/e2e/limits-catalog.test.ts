/**
 * What a request may make the bus hold, counted over the whole bus: topics
 * (EDGELOG_MAX_TOPICS), partitions per topic, consumer groups
 * (EDGELOG_MAX_GROUPS). A bus of its own with tiny limits and fresh state,
 * so the counts start at zero. Each refusal is a 4xx with a code, and a read
 * afterwards shows nothing was created or changed.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, producePartition, readAll } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

let bus: Bus;
beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_MAX_TOPICS: "3", EDGELOG_MAX_GROUPS: "2" } });
});
afterAll(() => bus?.dispose());

const api = <T = any>(method: string, path: string, body?: unknown) => call<T>(bus.url, method, path, body);
const topicNames = async () => (await api<{ topics: { name: string }[] }>("GET", "/v1/topics")).body.topics.map((t) => t.name);
const groupNames = async () => (await api<{ groups: { group: string }[] }>("GET", "/v1/groups")).body.groups.map((g) => g.group);

describe("topic limits", () => {
  it("refuses a topic past EDGELOG_MAX_TOPICS with 409 LIMIT_EXCEEDED, creates nothing, and frees the slot on delete", async () => {
    for (const name of ["a", "b", "c"]) expect((await api("PUT", `/v1/topics/${name}`, { partitions: 2 })).status).toBe(201);
    await producePartition(bus.url, "a", 0, [{ value: "kept" }]);

    const refused = await api("PUT", "/v1/topics/d", { partitions: 2 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "LIMIT_EXCEEDED", retriable: false, limit: 3 } });
    expect(refused.body.error.message).toContain("at most 3 topics");
    expect(await topicNames()).toEqual(["a", "b", "c"]);
    expect((await api("GET", "/v1/topics/d")).status).toBe(404);
    expect((await api("POST", "/v1/topics/d/records", { records: [{ value: 1 }] })).body).toMatchObject({ error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });

    // At the limit, existing topics still answer: an identical create, produce, read.
    expect((await api("PUT", "/v1/topics/a", { partitions: 2 })).status).toBe(200);
    expect((await producePartition(bus.url, "a", 1, [{ value: "still" }])).status).toBe(200);
    expect((await readAll(bus.url, "a")).map((p) => p.map((r) => r.value))).toEqual([["kept"], ["still"]]);

    expect((await api("DELETE", "/v1/topics/c")).status).toBe(204);
    expect((await api("PUT", "/v1/topics/d", { partitions: 2 })).status).toBe(201);
    expect((await api("PUT", "/v1/topics/e", {})).body).toMatchObject({ error: { code: "LIMIT_EXCEEDED", limit: 3 } });
    expect(await topicNames()).toEqual(["a", "b", "d"]);
  });

  it("refuses more than 1024 partitions per topic, on create and on PATCH, and changes nothing", async () => {
    expect((await api("PUT", "/v1/topics/wide", { partitions: 1025 })).body).toMatchObject({ error: { code: "INVALID_CONFIG" } });
    const patched = await api("PATCH", "/v1/topics/b", { partitions: 1025 });
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({ error: { code: "INVALID_CONFIG" } });
    expect((await api("GET", "/v1/topics/b")).body).toMatchObject({ config: { partitions: 2 }, partitions: [{ partition: 0 }, { partition: 1 }] });
    expect(await topicNames()).toEqual(["a", "b", "d"]);
  });
});

describe("group limits", () => {
  const join = (group: string, body: Record<string, unknown> = {}) => api("POST", `/v1/groups/${group}/members`, { topics: ["a"], ...body });

  it("refuses a new group past EDGELOG_MAX_GROUPS with 409 LIMIT_EXCEEDED, stores nothing of it, and existing groups keep working", async () => {
    const one = await join("g1", { clientId: "one" });
    expect(one.status).toBe(200);
    const two = await join("g2");
    expect(two.status).toBe(200);

    const refused = await join("g3");
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "LIMIT_EXCEEDED", retriable: false, limit: 2 } });
    // An offset reset would create the group too.
    const reset = await api("POST", "/v1/groups/g3/offsets/reset", { topic: "a", to: "earliest" });
    expect(reset.status).toBe(409);
    expect(reset.body).toMatchObject({ error: { code: "LIMIT_EXCEEDED", limit: 2 } });
    expect(await groupNames()).toEqual(["g1", "g2"]);
    expect((await api("GET", "/v1/groups/g3")).body).toMatchObject({ error: { code: "GROUP_ID_NOT_FOUND" } });
    expect((await api("GET", "/v1/groups/g3/offsets")).body).toMatchObject({ error: { code: "GROUP_ID_NOT_FOUND" } });

    // g1 at the limit: a heartbeat, a commit, a second member and a rejoin all work.
    const member = one.body.memberId as string;
    expect((await api("POST", `/v1/groups/g1/members/${member}/heartbeat`, { generation: one.body.generation })).status).toBe(200);
    expect((await api("POST", "/v1/groups/g1/offsets", { memberId: member, generation: one.body.generation, offsets: [{ topic: "a", partition: 0, offset: 1 }] })).status).toBe(200);
    const second = await join("g1", { clientId: "two" });
    expect(second.status).toBe(200);
    expect((await join("g1", { memberId: member })).status).toBe(200);
    expect((await api("GET", "/v1/groups/g1/offsets")).body).toMatchObject({ offsets: [{ topic: "a", partition: 0, offset: 1 }] });

    // Deleting an empty group frees its place.
    expect((await api("DELETE", `/v1/groups/g2/members/${two.body.memberId}`)).status).toBe(204);
    expect((await api("DELETE", "/v1/groups/g2")).status).toBe(204);
    expect((await join("g3")).status).toBe(200);
    expect((await join("g4")).body).toMatchObject({ error: { code: "LIMIT_EXCEEDED" } });
    expect(await groupNames()).toEqual(["g1", "g3"]);
  });
});
