/**
 * Rate limits on a real bus whose limiter is the tiny one (5 requests per
 * 10 s per caller and action): produce and fetch past it answer
 * 429 RATE_LIMITED with Retry-After, other routes are not limited.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";

let bus: Bus;

beforeAll(async () => {
  bus = await startBus({ vars: { EDGELOG_RATE_LIMITS: "tiny" } });
}, 120_000);
afterAll(() => bus?.dispose());

const produce = () =>
  fetch(`${bus.url}/v1/topics/limited/records`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ value: 1 }] }) });

it("answers 429 RATE_LIMITED with Retry-After past the limit, and writes nothing then", async () => {
  expect((await fetch(`${bus.url}/v1/topics/limited`, { method: "PUT" })).status).toBe(201);
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 12; i++) {
    const res = await produce();
    statuses.push(res.status);
    if (res.status === 429) limited = res;
    else await res.body?.cancel();
  }
  expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
  expect(limited, statuses.join(",")).toBeDefined();
  expect(limited!.headers.get("retry-after")).toBe("10");
  expect(await limited!.json()).toMatchObject({ error: { code: "RATE_LIMITED", retriable: true, retryAfter: 10 } });
  const accepted = statuses.filter((s) => s === 200).length;
  // Fetch has its own budget; the page shows only the accepted records.
  const page = (await (await fetch(`${bus.url}/v1/topics/limited/partitions/0/records?offset=earliest`)).json()) as { records: unknown[] };
  expect(page.records).toHaveLength(accepted);
  // Admin and health requests are not limited.
  for (let i = 0; i < 8; i++) expect((await fetch(`${bus.url}/v1/topics/limited`)).status).toBe(200);
});
