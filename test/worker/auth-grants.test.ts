/**
 * Browser keys, deny-wins, prefix patterns, the route table's coverage and a
 * required-mode bus with no way to check tokens.
 */

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app.ts";
import { matches } from "../../worker/auth/grants.ts";
import { requirementFor } from "../../worker/auth/requirements.ts";
import { admin, bearer, request, token } from "./auth-support.ts";

const RUN = Date.now().toString(36);
const CLICKS = `clicks-${RUN}`;
const ORDERS = `orders-${RUN}`;

async function setup(): Promise<void> {
  for (const name of [CLICKS, ORDERS]) {
    const res = await admin("PUT", `/v1/topics/${name}`, { partitions: 1 });
    expect([200, 201]).toContain(res.status);
  }
}

async function count(topic: string): Promise<number> {
  const page = await (await admin("GET", `/v1/topics/${topic}/partitions/0/records?offset=earliest`)).json<any>();
  return page.records.length;
}

describe("browser keys", () => {
  it("produce to their topic only, from listed origins only, and cannot fetch", async () => {
    await setup();
    const key = bearer(await token({ sub: "site", allow: { produce: [CLICKS] }, origins: ["https://app.example"], ttl: 3600 }));
    const from = (origin?: string) => ({ ...key, ...(origin ? { origin } : {}) });
    const ok = await request("POST", `/v1/topics/${CLICKS}/records`, from("https://app.example"), { records: [{ value: { page: "/" } }] });
    expect(ok.status).toBe(200);
    const elsewhere = await request("POST", `/v1/topics/${ORDERS}/records`, from("https://app.example"), { records: [{ value: 1 }] });
    expect(elsewhere.status).toBe(403);
    expect((await elsewhere.json<any>()).error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(`'produce' on topic '${ORDERS}'`) });
    const fetched = await request("GET", `/v1/topics/${CLICKS}/partitions/0/records?offset=earliest`, from("https://app.example"));
    expect(fetched.status).toBe(403);
    const live = await request("GET", `/v1/topics/${CLICKS}/records`, { ...from("https://app.example"), accept: "text/event-stream" });
    expect(live.status).toBe(403);
    const evil = await request("POST", `/v1/topics/${CLICKS}/records`, from("https://evil.example"), { records: [{ value: 1 }] });
    expect(evil.status).toBe(403);
    expect((await evil.json<any>()).error.message).toContain("https://evil.example");
    const noOrigin = await request("POST", `/v1/topics/${CLICKS}/records`, from(), { records: [{ value: 1 }] });
    expect(noOrigin.status).toBe(403);
    expect(await count(CLICKS)).toBe(1);
    expect(await count(ORDERS)).toBe(0);
  });

  it("without origins works from anywhere, still only for produce", async () => {
    await setup();
    const key = bearer(await token({ allow: { produce: [`${CLICKS}*`] } }));
    expect((await request("POST", `/v1/topics/${CLICKS}/records`, { ...key, origin: "https://any.example" }, { records: [{ value: 1 }] })).status).toBe(200);
    expect((await request("PUT", `/v1/topics/${CLICKS}-new`, key, {})).status).toBe(403);
  });
});

describe("grants", () => {
  it("deny wins over allow", async () => {
    await setup();
    const t = bearer(await token({ allow: { produce: ["*"], consume: ["*"] }, deny: { produce: [ORDERS] } }));
    expect((await request("POST", `/v1/topics/${CLICKS}/records`, t, { records: [{ value: 1 }] })).status).toBe(200);
    expect((await request("POST", `/v1/topics/${ORDERS}/records`, t, { records: [{ value: 1 }] })).status).toBe(403);
    expect((await request("GET", `/v1/topics/${ORDERS}/partitions/0/records?offset=earliest`, t)).status).toBe(200);
  });

  it("matches names, prefixes and everything", () => {
    expect(matches("orders.*", "orders.eu")).toBe(true);
    expect(matches("orders.*", "orders")).toBe(false);
    expect(matches("orders.*", "ordersx")).toBe(false);
    expect(matches("orders*", "ordersx")).toBe(true);
    expect(matches("orders", "orders")).toBe(true);
    expect(matches("orders", "orders.eu")).toBe(false);
    expect(matches("*", "anything")).toBe(true);
  });

  it("a malformed edgelog claim, or a token without exp or sub, is refused", async () => {
    const { Jwt } = await import("hono/utils/jwt");
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      { sub: "x", aud: "edgelog-test", exp: now + 60, edgelog: { allow: { produce: "clicks" } } },
      { sub: "x", aud: "edgelog-test", exp: now + 60, edgelog: { allow: { write: ["*"] } } },
      { sub: "x", aud: "edgelog-test", edgelog: { allow: { produce: ["*"] } } },
      { aud: "edgelog-test", exp: now + 60, edgelog: { allow: { produce: ["*"] } } },
    ];
    for (const payload of cases) {
      const t = await Jwt.sign(payload, "test-secret-1", "HS256");
      const res = await request("POST", `/v1/topics/${CLICKS}/records`, bearer(t), { records: [{ value: 1 }] });
      expect(res.status, JSON.stringify(payload)).toBe(401);
    }
  });
});

describe("the route table", () => {
  it("names a grant for every route in the OpenAPI document", () => {
    const routes = app.openAPIRegistry.definitions.flatMap((d) => (d.type === "route" ? [d.route] : []));
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const path = route.path.replace(/\{[^}]+\}/g, "x");
      const requirement = requirementFor(route.method.toUpperCase(), path);
      const isPublic = path === "/v1/health";
      expect(requirement.kind, `${route.method} ${route.path}`).toBe(isPublic ? "public" : "grant");
    }
  });

  it("decodes names the way the router does", async () => {
    await setup();
    const t = bearer(await token({ allow: { consume: [CLICKS] } }));
    const encoded = await request("GET", `/v1/%74opics/${ORDERS}/partitions/0/records?offset=earliest`, t);
    expect([403, 404]).toContain(encoded.status);
    expect((await request("GET", `/v1/topics/%6frders-${RUN}/partitions/0/records?offset=earliest`, t)).status).toBe(403);
  });
});

describe("a required-mode bus without secrets", () => {
  it("refuses every data request with a clear code and keeps health public", async () => {
    const bare = { ...env, EDGELOG_JWT_SECRETS: undefined, EDGELOG_ADMIN_TOKEN: undefined, EDGELOG_JWKS_URL: undefined };
    const fetchBare = (path: string, init: RequestInit = {}) => app.fetch(new Request(`http://edgelog.test${path}`, init), bare);
    const res = await fetchBare(`/v1/topics/${CLICKS}/partitions/0/records?offset=earliest`, { headers: { authorization: "Bearer whatever" } });
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("wrangler secret put EDGELOG_JWT_SECRETS") });
    expect((await fetchBare("/v1/topics", { headers: { authorization: "Bearer test-admin-token" } })).status).toBe(401);
    expect((await fetchBare("/v1/health")).status).toBe(200);
    expect((await fetchBare("/v1/openapi.json")).status).toBe(200);
    const unset = await app.fetch(new Request(`http://edgelog.test/v1/topics/${CLICKS}`), { ...bare, EDGELOG_AUTH: undefined });
    expect(unset.status).toBe(401);
  });
});

describe("a JWKS URL over plain http", () => {
  it("is not fetched unless it names this machine: an RS256 token is refused with the reason", async () => {
    const header = btoa(JSON.stringify({ alg: "RS256", kid: "k1", typ: "JWT" })).replace(/=+$/, "");
    const payload = btoa(JSON.stringify({ sub: "x", exp: Math.floor(Date.now() / 1000) + 60 })).replace(/=+$/, "");
    const rs256 = { authorization: `Bearer ${header}.${payload}.c2ln` };
    const withJwks = (url: string) => ({ ...env, EDGELOG_JWKS_URL: url });
    const path = `http://edgelog.test/v1/topics/${CLICKS}/partitions/0/records?offset=earliest`;
    for (const url of ["http://keys.example/jwks.json", "ftp://keys.example/jwks.json", "not a url"]) {
      const res = await app.fetch(new Request(path, { headers: rs256 }), withJwks(url));
      expect(res.status, url).toBe(401);
      expect((await res.json<any>()).error, url).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("EDGELOG_JWKS_URL") });
    }
    // Loopback over http is fetched (nothing listens there: the fetch fails, 503).
    const local = await app.fetch(new Request(path, { headers: rs256 }), withJwks("http://127.0.0.1:9/jwks.json"));
    expect(local.status).toBe(503);
  });
});

describe("CORS", () => {
  it("answers preflights for every header the client and Durable Streams send", async () => {
    const res = await request("OPTIONS", `/v1/topics/${CLICKS}/records`, {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type,producer-id",
    });
    expect(res.status).toBe(204);
    const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
    for (const h of ["authorization", "content-type", "last-event-id", "producer-id", "producer-epoch", "producer-seq", "stream-seq", "stream-ttl", "stream-expires-at", "if-none-match", "x-request-id"]) {
      expect(allowed).toContain(h);
    }
    const limited = await app.fetch(
      new Request(`http://edgelog.test/v1/health`, { headers: { origin: "https://evil.example" } }),
      { ...env, EDGELOG_CORS_ORIGINS: "https://app.example" },
    );
    expect(limited.headers.get("access-control-allow-origin")).toBeNull();
    const listed = await app.fetch(
      new Request(`http://edgelog.test/v1/health`, { headers: { origin: "https://app.example" } }),
      { ...env, EDGELOG_CORS_ORIGINS: "https://app.example" },
    );
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const exposed = listed.headers.get("access-control-expose-headers")!.toLowerCase();
    for (const h of ["retry-after", "etag", "stream-next-offset", "stream-cursor", "stream-up-to-date", "stream-closed", "producer-expected-seq", "producer-received-seq", "location"]) {
      expect(exposed).toContain(h);
    }
  });
});
