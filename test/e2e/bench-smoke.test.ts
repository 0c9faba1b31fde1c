/**
 * Keeps the benchmark's floor routes (worker/bench) from rotting: they answer
 * on a bus started with EDGELOG_BENCH=1 and are unknown routes on any other.
 */

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";

const FLOORS = [
  { method: "GET", path: "/v1/_bench/noop" },
  { method: "GET", path: "/v1/_bench/do-noop" },
  { method: "POST", path: "/v1/_bench/raw-insert", body: '{"records":[{"value":"a"}]}' },
] as const;

describe("with EDGELOG_BENCH=1", () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus({ vars: { EDGELOG_BENCH: "1" } });
  });
  afterAll(() => bus?.stop());

  it.each(FLOORS)("$method $path answers 204", async ({ method, path, ...rest }) => {
    const res = await fetch(`${bus.url}${path}`, { method, body: "body" in rest ? rest.body : undefined });
    expect(res.status, await res.text()).toBe(204);
  });

  it("stores a raw-insert body without parsing it", async () => {
    const res = await fetch(`${bus.url}/v1/_bench/raw-insert`, { method: "POST", body: "not JSON at all {" });
    expect(res.status).toBe(204);
  });
});

describe("without EDGELOG_BENCH", () => {
  it.each(FLOORS)("$method $path is an unknown route", async ({ method, path, ...rest }) => {
    const res = await fetch(`${inject("busUrl")}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: "body" in rest ? rest.body : undefined,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND", retriable: false } });
  });
});
