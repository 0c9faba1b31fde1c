import { beforeAll, describe, expect, it } from "vitest";
import { commit, describeGroup, joined, uniqueGroup } from "./groups-support.ts";
import { call, createTopic, uniqueTopic } from "./support.ts";

// Every case is refused with a 4xx and its code, and the group afterwards is
// exactly as before: same generation, members, assignment and offsets.

const topic = uniqueTopic("gbad");
const group = uniqueGroup("bad");
let member: { memberId: string; generation: number };

const json = { "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = json) => () =>
  call(path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
const MEMBERS = `/v1/groups/${group}/members`;
const OFFSETS = `/v1/groups/${group}/offsets`;
const heartbeatPath = () => `${MEMBERS}/${member.memberId}/heartbeat`;
const commitBody = (offsets: unknown[], extra: object = {}) => ({ memberId: member.memberId, generation: member.generation, offsets, ...extra });

interface Case {
  name: string;
  request: () => Promise<Response>;
  status: number;
  code: string;
}

const cases: Case[] = [
  { name: "group name breaking the rule", request: post(`/v1/groups/bad%20name/members`, { topics: [topic] }), status: 400, code: "INVALID_REQUEST" },
  { name: "group name over 249 characters", request: () => call(`/v1/groups/${"g".repeat(250)}`), status: 400, code: "INVALID_REQUEST" },
  { name: "join: malformed JSON", request: post(MEMBERS, '{"topics":['), status: 400, code: "INVALID_REQUEST" },
  { name: "join: not JSON", request: post(MEMBERS, "topics", { "content-type": "text/plain" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  { name: "join: no topics", request: post(MEMBERS, { topics: [] }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: a topic twice", request: post(MEMBERS, { topics: [topic, topic] }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: bad topic name", request: post(MEMBERS, { topics: ["a b"] }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: unknown topic", request: post(MEMBERS, { topics: [`${topic}-missing`] }), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "join: session too short", request: post(MEMBERS, { topics: [topic], sessionTimeoutMs: 999 }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: session too long", request: post(MEMBERS, { topics: [topic], sessionTimeoutMs: 300_001 }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: unknown assignor", request: post(MEMBERS, { topics: [topic], assignor: "cooperative" }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: unknown field", request: post(MEMBERS, { topics: [topic], groupInstanceId: "x" }), status: 400, code: "INVALID_REQUEST" },
  { name: "join: another assignor than the group's", request: post(MEMBERS, { topics: [topic], assignor: "range" }), status: 409, code: "INCONSISTENT_GROUP_PROTOCOL" },
  { name: "join: unknown member id", request: post(MEMBERS, { topics: [topic], memberId: "member-x" }), status: 409, code: "UNKNOWN_MEMBER_ID" },
  { name: "heartbeat: no generation", request: () => post(heartbeatPath(), {})(), status: 400, code: "INVALID_REQUEST" },
  { name: "heartbeat: negative generation", request: () => post(heartbeatPath(), { generation: -1 })(), status: 400, code: "INVALID_REQUEST" },
  { name: "heartbeat: bad member id", request: post(`${MEMBERS}/no%20such/heartbeat`, { generation: 1 }), status: 400, code: "INVALID_REQUEST" },
  { name: "commit: no offsets", request: () => post(OFFSETS, commitBody([]))(), status: 400, code: "INVALID_REQUEST" },
  { name: "commit: negative offset", request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: -1 }]))(), status: 400, code: "INVALID_REQUEST" },
  { name: "commit: fractional offset", request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: 1.5 }]))(), status: 400, code: "INVALID_REQUEST" },
  {
    name: "commit: a partition twice",
    request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: 1 }, { topic, partition: 0, offset: 2 }]))(),
    status: 400,
    code: "INVALID_REQUEST",
  },
  {
    name: "commit: metadata over 4096 characters",
    request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: 1, metadata: "x".repeat(4097) }]))(),
    status: 400,
    code: "INVALID_REQUEST",
  },
  { name: "commit: no member id", request: post(OFFSETS, { generation: 1, offsets: [{ topic, partition: 0, offset: 1 }] }), status: 400, code: "INVALID_REQUEST" },
  {
    name: "commit: a partition the member does not own",
    request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: 1 }, { topic, partition: 9, offset: 1 }]))(),
    status: 409,
    code: "ILLEGAL_GENERATION",
  },
  {
    name: "commit: another generation",
    request: () => post(OFFSETS, commitBody([{ topic, partition: 0, offset: 1 }], { generation: 7 }))(),
    status: 409,
    code: "ILLEGAL_GENERATION",
  },
  { name: "offsets: unknown query parameter", request: () => call(`${OFFSETS}?topics=${topic}`), status: 400, code: "INVALID_REQUEST" },
  { name: "reset: while the group has members", request: post(`${OFFSETS}/reset`, { topic, to: "earliest" }), status: 409, code: "NON_EMPTY_GROUP" },
  { name: "reset: unknown target", request: post(`${OFFSETS}/reset`, { topic, to: "middle" }), status: 400, code: "INVALID_REQUEST" },
  { name: "reset: offset and timestamp both", request: post(`${OFFSETS}/reset`, { topic, to: { offset: 1, timestamp: 1 } }), status: 400, code: "INVALID_REQUEST" },
  { name: "reset: unknown topic", request: post(`${OFFSETS}/reset`, { topic: `${topic}-missing`, to: "earliest" }), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "reset: unknown partition", request: post(`${OFFSETS}/reset`, { topic, to: "earliest", partitions: [2] }), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "reset: offset past the end", request: post(`${OFFSETS}/reset`, { topic, to: { offset: 99 } }), status: 416, code: "OFFSET_OUT_OF_RANGE" },
  { name: "delete: while the group has members", request: () => call(`/v1/groups/${group}`, { method: "DELETE" }), status: 409, code: "NON_EMPTY_GROUP" },
  { name: "describe: unknown group", request: () => call(`/v1/groups/${group}-missing`), status: 404, code: "GROUP_ID_NOT_FOUND" },
];

describe("bad group input", () => {
  it("creates no group for a refused first join", async () => {
    const fresh = uniqueGroup("never");
    const refused = await call(`/v1/groups/${fresh}/members`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ topics: [topic], memberId: "member-x" }),
    });
    expect(refused.status).toBe(409);
    expect((await call(`/v1/groups/${fresh}`)).status).toBe(404);
    const listed = (await (await call("/v1/groups")).json<any>()).groups.map((g: any) => g.group);
    expect(listed).not.toContain(fresh);
  });

  beforeAll(async () => {
    await createTopic(topic, { partitions: 2 });
    member = await joined(group, { topics: [topic], assignor: "sticky", sessionTimeoutMs: 300_000 });
    const ok = await commit(group, member.memberId, member.generation, [{ topic, partition: 1, offset: 0 }]);
    expect(ok.status).toBe(200);
  });

  it.each(cases)("$name → $status $code, nothing changed", async ({ request, status, code }) => {
    const before = snapshot((await describeGroup(group)).body);
    const res = await request();
    expect(res.status).toBe(status);
    const body = await res.json<any>();
    expect(body.error).toMatchObject({ code, message: expect.any(String), retriable: false });
    expect(snapshot((await describeGroup(group)).body)).toEqual(before);
  });
});

/** The group minus the clocks that heartbeats and joins move. */
function snapshot(d: any) {
  return { ...d, members: d.members.map(({ lastHeartbeatAt: _, expiresAt: __, ...m }: any) => m) };
}
