/**
 * Every route × every way a request can lack authority: refused with 401 or
 * 403 and a code, and nothing read or written (a full snapshot of the
 * tenant's topics, records and group offsets is the same afterwards).
 */

import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, ROTATED_SECRET, admin, bearer, request, token, unsignedToken } from "./auth-support.ts";

const RUN = Date.now().toString(36);
const TOPIC = `tenant-a.orders-${RUN}`;
const OTHER = `tenant-b.orders-${RUN}`;
const GROUP = `tenant-a.billing-${RUN}`;
const STREAM = `tenant-a.chat-${RUN}`;

interface Route {
  method: string;
  path: string;
  body?: unknown;
  /** What a token needs for this route. */
  needs: string;
}

const ROUTES: Route[] = [
  { method: "GET", path: "/v1/topics", needs: "admin *" },
  { method: "PUT", path: `/v1/topics/${TOPIC}`, body: { partitions: 2 }, needs: "admin" },
  { method: "GET", path: `/v1/topics/${TOPIC}`, needs: "consume|produce|admin" },
  { method: "PATCH", path: `/v1/topics/${TOPIC}`, body: { retentionMs: 1000 }, needs: "admin" },
  { method: "DELETE", path: `/v1/topics/${TOPIC}`, needs: "admin" },
  { method: "POST", path: `/v1/topics/${TOPIC}/records`, body: { records: [{ value: "evil" }] }, needs: "produce" },
  { method: "POST", path: `/v1/topics/${TOPIC}/partitions/0/records`, body: { records: [{ value: "evil" }] }, needs: "produce" },
  { method: "GET", path: `/v1/topics/${TOPIC}/partitions/0/records?offset=earliest`, needs: "consume" },
  { method: "GET", path: `/v1/topics/${TOPIC}/records?from=earliest`, needs: "consume" },
  { method: "DELETE", path: `/v1/topics/${TOPIC}/partitions/0/records?before=1`, needs: "admin" },
  { method: "GET", path: "/v1/groups", needs: "admin *" },
  { method: "GET", path: `/v1/groups/${GROUP}`, needs: "groups" },
  { method: "DELETE", path: `/v1/groups/${GROUP}`, needs: "admin" },
  { method: "POST", path: `/v1/groups/${GROUP}/members`, body: { topics: [TOPIC] }, needs: "groups" },
  { method: "POST", path: `/v1/groups/${GROUP}/members/m-1/heartbeat`, body: { generation: 1 }, needs: "groups" },
  { method: "DELETE", path: `/v1/groups/${GROUP}/members/m-1`, needs: "groups" },
  { method: "POST", path: `/v1/groups/${GROUP}/offsets`, body: { memberId: "m-1", generation: 1, offsets: [{ topic: TOPIC, partition: 0, offset: 0 }] }, needs: "groups" },
  { method: "GET", path: `/v1/groups/${GROUP}/offsets`, needs: "groups" },
  { method: "POST", path: `/v1/groups/${GROUP}/offsets/reset`, body: { topic: TOPIC, to: "earliest" }, needs: "groups" },
  { method: "GET", path: "/v1/_bench/noop", needs: "admin *" },
  // The Durable Streams face: streams are named like topics, and a topic partition reads as a stream.
  { method: "PUT", path: `/v1/stream/${STREAM}-new`, body: [], needs: "produce" },
  { method: "POST", path: `/v1/stream/${STREAM}`, body: [{ text: "evil" }], needs: "produce" },
  { method: "GET", path: `/v1/stream/${STREAM}?offset=-1`, needs: "consume" },
  { method: "DELETE", path: `/v1/stream/${STREAM}`, needs: "admin" },
  { method: "GET", path: `/v1/stream/topics/${TOPIC}/0?offset=-1`, needs: "consume" },
];

/** Tokens that must all be refused, with the status they must get. */
async function faults(): Promise<{ name: string; headers: Record<string, string>; status: 401 | 403 }[]> {
  const everything = { produce: ["*"], consume: ["*"], groups: ["*"], admin: ["*"] };
  return [
    { name: "no token", headers: {}, status: 401 },
    { name: "expired", headers: bearer(await token({ allow: everything, ttl: -60 })), status: 401 },
    { name: "not yet valid", headers: bearer(await token({ allow: everything, nbf: Math.floor(Date.now() / 1000) + 600 })), status: 401 },
    { name: "wrong signature", headers: bearer(await token({ allow: everything, secret: "not-the-secret" })), status: 401 },
    { name: "alg none", headers: bearer(unsignedToken()), status: 401 },
    { name: "wrong audience", headers: bearer(await token({ allow: everything, aud: "another-bus" })), status: 401 },
    { name: "not a bearer", headers: { authorization: "Basic dGVzdDp0ZXN0" }, status: 401 },
    { name: "garbage", headers: bearer("a.b.c"), status: 401 },
    { name: "insufficient grant", headers: bearer(await token({ allow: { consume: ["unrelated-topic"] } })), status: 403 },
    {
      name: "other tenant's token",
      headers: bearer(await token({ allow: { produce: ["tenant-b.*"], consume: ["tenant-b.*"], groups: ["tenant-b.*"], admin: ["tenant-b.*"] } })),
      status: 403,
    },
    { name: "everything but denied", headers: bearer(await token({ allow: everything, deny: { produce: ["tenant-a.*"], consume: ["tenant-a.*"], groups: ["tenant-a.*"], admin: ["tenant-a.*"] } })), status: 403 },
  ];
}

async function json(res: Response): Promise<any> {
  return res.json();
}

/** Everything the tenant's requests could read or change, as the operator sees it. */
async function snapshot(): Promise<unknown> {
  const topics = (await json(await admin("GET", "/v1/topics"))).topics.map((t: { name: string }) => t.name).filter((n: string) => n.endsWith(RUN)).sort();
  const data: Record<string, unknown> = {};
  for (const name of topics) {
    const described = await json(await admin("GET", `/v1/topics/${name}`));
    data[name] = { config: described.config, partitions: [] as unknown[] };
    for (const p of described.partitions) {
      const page = await json(await admin("GET", `/v1/topics/${name}/partitions/${p.partition}/records?offset=earliest&maxRecords=10000`));
      (data[name] as { partitions: unknown[] }).partitions.push(page);
    }
  }
  const groups = (await json(await admin("GET", "/v1/groups"))).groups;
  const offsets = await json(await admin("GET", `/v1/groups/${GROUP}/offsets`));
  const stream = await (await admin("GET", `/v1/stream/${STREAM}?offset=-1`)).text();
  const created = (await admin("GET", `/v1/stream/${STREAM}-new?offset=-1`)).status;
  return { topics, data, groups, offsets, stream, created };
}

beforeAll(async () => {
  for (const name of [TOPIC, OTHER]) {
    expect((await admin("PUT", `/v1/topics/${name}`, { partitions: 2 })).status).toBe(201);
    expect((await admin("POST", `/v1/topics/${name}/records`, { records: [{ key: "k", value: "kept" }, { value: 2 }] })).status).toBe(200);
  }
  expect((await admin("PUT", `/v1/stream/${STREAM}`, [{ text: "kept" }])).status).toBe(201);
  const joined = await json(await admin("POST", `/v1/groups/${GROUP}/members`, { topics: [TOPIC], sessionTimeoutMs: 300_000 }));
  const commit = await admin("POST", `/v1/groups/${GROUP}/offsets`, {
    memberId: joined.memberId,
    generation: joined.generation,
    offsets: joined.assignment.flatMap((a: { topic: string; partitions: number[] }) => a.partitions.map((partition) => ({ topic: a.topic, partition, offset: 1 }))),
  });
  expect(commit.status).toBe(200);
});

describe("every route refuses every fault and changes nothing", () => {
  it("answers 401/403 with a code and no data, and the stored state is unchanged", async () => {
    const before = await snapshot();
    expect(before).toMatchObject({
      topics: [TOPIC, OTHER].sort(),
      groups: expect.arrayContaining([expect.objectContaining({ group: GROUP })]),
      stream: '[{"text":"kept"}]',
      created: 404,
    });
    let checked = 0;
    for (const fault of await faults()) {
      for (const route of ROUTES) {
        const res = await request(route.method, route.path, fault.headers, route.body);
        const body = await res.text();
        const where = `${fault.name}: ${route.method} ${route.path} → ${res.status} ${body}`;
        expect(res.status, where).toBe(fault.status);
        const parsed = JSON.parse(body);
        expect(Object.keys(parsed), where).toEqual(["error"]);
        expect(parsed.error.code, where).toBe(fault.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
        expect(parsed.error.message, where).not.toMatch(/test-secret|test-admin-token/);
        checked++;
      }
    }
    expect(checked).toBe(11 * ROUTES.length);
    expect(await snapshot()).toEqual(before);
  });

  it("lets the right grant through on each route (the matrix is not refusing everything)", async () => {
    const t = bearer(await token({ allow: { produce: ["tenant-a.*"], consume: ["tenant-a.*"], groups: ["tenant-a.*"] } }));
    const produce = await request("POST", `/v1/topics/${TOPIC}/records`, t, { records: [{ value: "ok" }] });
    expect(produce.status).toBe(200);
    const fetched = await request("GET", `/v1/topics/${TOPIC}/partitions/0/records?offset=earliest`, t);
    expect(fetched.status).toBe(200);
    expect((await request("GET", `/v1/topics/${TOPIC}`, t)).status).toBe(200);
    expect((await request("GET", `/v1/groups/${GROUP}/offsets`, t)).status).toBe(200);
    // admin is not among its grants
    expect((await request("PATCH", `/v1/topics/${TOPIC}`, t, { retentionMs: 1000 })).status).toBe(403);
    expect((await request("GET", "/v1/topics", t)).status).toBe(403);
  });

  it("accepts tokens signed with any configured secret (rotation) and the operator token", async () => {
    const rotated = bearer(await token({ allow: { consume: [TOPIC] }, secret: ROTATED_SECRET }));
    expect((await request("GET", `/v1/topics/${TOPIC}/partitions/0/records?offset=earliest`, rotated)).status).toBe(200);
    expect((await request("GET", "/v1/topics", ADMIN)).status).toBe(200);
    expect((await request("GET", "/v1/topics", { authorization: "Bearer test-admin-token-but-longer" })).status).toBe(401);
  });

  it("keeps health and the OpenAPI document public, and unknown paths 404", async () => {
    expect((await request("GET", "/v1/health")).status).toBe(200);
    expect((await request("GET", "/v1/openapi.json")).status).toBe(200);
    const unknown = await request("GET", "/v1/nothing-here");
    expect(unknown.status).toBe(404);
  });

  it("needs consume on every topic a group member names in its body", async () => {
    const t = bearer(await token({ allow: { groups: ["tenant-a.*"], consume: [TOPIC] } }));
    const join = await request("POST", `/v1/groups/tenant-a.g2-${RUN}/members`, t, { topics: [TOPIC, OTHER] });
    expect(join.status).toBe(403);
    expect((await json(join)).error.message).toContain(OTHER);
    const reset = await request("POST", `/v1/groups/${GROUP}/offsets/reset`, t, { topic: OTHER, to: "earliest" });
    expect(reset.status).toBe(403);
    const commit = await request("POST", `/v1/groups/${GROUP}/offsets`, t, { memberId: "m", generation: 1, offsets: [{ topic: OTHER, partition: 0, offset: 0 }] });
    expect(commit.status).toBe(403);
    const ok = await request("POST", `/v1/groups/tenant-a.g2-${RUN}/members`, t, { topics: [TOPIC] });
    expect(ok.status).toBe(200);
  });
});
