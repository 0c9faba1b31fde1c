// CORS headers on every kind of answer the API gives: JSON built by the
// routes, errors, and responses a route builds itself (live streams) — with
// any origin allowed and with a list of origins.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app.ts";
import { createTopic, uniqueTopic } from "./support.ts";

const APP_ORIGIN = "https://app.example";

async function answer(path: string, init: RequestInit, origins: string): Promise<Response> {
  const res = await app.fetch(new Request(`http://edgelog.test${path}`, init), { ...env, EDGELOG_CORS_ORIGINS: origins });
  return res;
}

describe("CORS on every answer", () => {
  it.each(["*", APP_ORIGIN])("with EDGELOG_CORS_ORIGINS=%s", async (origins) => {
    const topic = uniqueTopic("cors");
    await createTopic(topic);
    const stop = new AbortController();
    const headers = { origin: APP_ORIGIN };
    const kinds: [string, Response][] = [
      ["produce", await answer(`/v1/topics/${topic}/records`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: '{"records":[{"value":1}]}' }, origins)],
      ["fetch", await answer(`/v1/topics/${topic}/partitions/0/records`, { headers }, origins)],
      ["error", await answer(`/v1/topics/${uniqueTopic("missing")}`, { headers }, origins)],
      ["bad input", await answer(`/v1/topics/${topic}/records`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{" }, origins)],
      ["live stream", await answer(`/v1/topics/${topic}/partitions/0/records`, { headers: { ...headers, accept: "text/event-stream" }, signal: stop.signal }, origins)],
    ];
    expect(kinds.map(([kind, res]) => [kind, res.status])).toEqual([
      ["produce", 200],
      ["fetch", 200],
      ["error", 404],
      ["bad input", 400],
      ["live stream", 200],
    ]);
    for (const [kind, res] of kinds) {
      expect(res.headers.get("access-control-allow-origin"), kind).toBe(origins === "*" ? "*" : APP_ORIGIN);
      expect(res.headers.get("access-control-expose-headers"), kind).toContain("Retry-After");
      if (origins !== "*") expect(res.headers.get("vary"), kind).toContain("Origin");
    }
    stop.abort();
    await Promise.all(kinds.map(([, res]) => res.body?.cancel().catch(() => {})));
  });

  it("gives an unlisted origin no Access-Control-Allow-Origin", async () => {
    const res = await answer("/v1/topics", { headers: { origin: "https://evil.example" } }, APP_ORIGIN);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
