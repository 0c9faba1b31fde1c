/**
 * The local engine's front door (worker/local-front.ts) routes as the
 * edge does by wrangler.toml: `/v1/*` to the API, everything else to the
 * dashboard's assets, whose unknown paths answer the dashboard's page. Each
 * path is asked of a local bus (`npm start`) and of `wrangler dev` (the
 * project's global bus), and must be answered the same.
 */

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

async function ask(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
  return { status: res.status, contentType: res.headers.get("content-type"), body: await res.text() };
}

describe("the local engine's front door", () => {
  let local: Bus;
  let page: string;
  beforeAll(async () => {
    local = await startBus({ engine: "local" });
    page = (await ask(local.url, "/")).body;
  });
  afterAll(() => local?.dispose());

  it("serves the dashboard's page at / and its script", async () => {
    expect(page).toMatch(/^<!doctype html>/i);
    const script = page.match(/\/assets\/[^"]+\.js/)?.[0];
    expect(script, page).toBeDefined();
    const res = await ask(local.url, script!);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/javascript/);
  });

  it.each(["/", "/topics/orders", "/groups/g1/members", "/v1", "/favicon.ico", "/index.html", "/v1-not-the-api"])(
    "answers %s as wrangler dev does",
    async (path) => {
      const [mine, theirs] = await Promise.all([ask(local.url, path), ask(inject("busUrl"), path)]);
      expect(mine).toEqual(theirs);
    },
  );

  it.each([
    { path: "/v1/health", status: 200 },
    { path: "/v1/no-such-route", status: 404 },
    { path: "/v1/topics/no-such-topic", status: 404 },
  ])("sends $path to the API, as wrangler dev does", async ({ path, status }) => {
    const [mine, theirs] = await Promise.all([ask(local.url, path), ask(inject("busUrl"), path)]);
    expect(mine.status).toBe(status);
    expect(mine.contentType).toBe("application/json");
    expect({ ...mine, body: JSON.parse(mine.body) }).toEqual({ ...theirs, body: JSON.parse(theirs.body) });
  });

  it("takes API writes, whose bodies reach the worker whole", async () => {
    const created = await ask(local.url, "/v1/topics/front-door", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ partitions: 1 }),
    });
    expect(created.status).toBe(201);
    const value = "x".repeat(100_000);
    const produced = await ask(local.url, "/v1/topics/front-door/records", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records: [{ value }] }),
    });
    expect(produced.status, produced.body).toBe(200);
    const fetched = await ask(local.url, "/v1/topics/front-door/partitions/0/records?offset=0");
    expect(JSON.parse(fetched.body).records[0].value).toBe(value);
  });
});
