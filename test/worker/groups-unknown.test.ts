// Requests about a group that does not exist are refused with their code
// and leave its coordinator without any stored state, not even a schema:
// probing group names must not fill the platform with empty objects. The
// group is made, schema and all, by its first join.

import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { join, uniqueGroup } from "./groups-support.ts";
import { call, createTopic, sendJson, storedTables, uniqueTopic } from "./support.ts";

const topic = uniqueTopic("gunknown");

/** The group's coordinator's own tables. */
const storedTablesOf = (group: string) => storedTables(env.GROUP_COORDINATOR.getByName(group));

describe("a group that does not exist", () => {
  const group = uniqueGroup("nobody");
  beforeAll(() => createTopic(topic, { partitions: 2 }));

  it.each([
    { name: "describe", request: () => call(`/v1/groups/${group}`), status: 404, code: "GROUP_ID_NOT_FOUND" },
    { name: "its offsets", request: () => call(`/v1/groups/${group}/offsets`), status: 404, code: "GROUP_ID_NOT_FOUND" },
    { name: "delete", request: () => call(`/v1/groups/${group}`, { method: "DELETE" }), status: 404, code: "GROUP_ID_NOT_FOUND" },
    { name: "heartbeat", request: () => sendJson("POST", `/v1/groups/${group}/members/m-1/heartbeat`, { generation: 1 }), status: 409, code: "UNKNOWN_MEMBER_ID" },
    { name: "leave", request: () => call(`/v1/groups/${group}/members/m-1`, { method: "DELETE" }), status: 409, code: "UNKNOWN_MEMBER_ID" },
    {
      name: "commit",
      request: () => sendJson("POST", `/v1/groups/${group}/offsets`, { memberId: "m-1", generation: 1, offsets: [{ topic, partition: 0, offset: 1 }] }),
      status: 409,
      code: "UNKNOWN_MEMBER_ID",
    },
    { name: "rejoin as a member", request: () => sendJson("POST", `/v1/groups/${group}/members`, { topics: [topic], memberId: "m-1" }), status: 409, code: "UNKNOWN_MEMBER_ID" },
    { name: "join an unknown topic", request: () => sendJson("POST", `/v1/groups/${group}/members`, { topics: [`${topic}-missing`] }), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  ])("$name: $status $code, and nothing stored", async ({ request, status, code }) => {
    const res = await request();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(await storedTablesOf(group)).toEqual([]);
  });

  it("is made, schema and all, by its first join, and then answers as a group", async () => {
    const made = uniqueGroup("made");
    const joined = await join(made, { topics: [topic] });
    expect(joined.status).toBe(200);
    expect(await storedTablesOf(made)).toEqual(expect.arrayContaining(["group_meta", "members", "offsets", "schema_migrations"]));
    const described = await call(`/v1/groups/${made}`);
    expect(described.status).toBe(200);
    expect(await described.json()).toMatchObject({ group: made, members: [{ memberId: joined.body.memberId }] });
  });
});
