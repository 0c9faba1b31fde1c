// Network cut during a flush: requests aborted mid-flight, responses lost
// after the bus committed, answers too late, retriable refusals, the link
// going down and up. No loss, no duplicate.
import type { Browser, Route } from "playwright-core";
import { expect, inject, it } from "vitest";
import { useBrowser, openHarness } from "./support/browser.ts";
import { createTopic, expectExactlyOnce, readAll, sent } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

type Fault = "abort" | "lose-response" | "late" | "unavailable" | "pass";
const FAULTS: Fault[] = ["abort", "lose-response", "pass", "late", "lose-response", "unavailable", "pass", "abort"];

it("delivers exactly once while produce requests fail in every way", async () => {
  const topic = await createTopic(BUS, "cut", { partitions: 3 });
  const context = await browser().newContext();
  const { page, h } = await openHarness(context, PAGE);
  const seen = { produce: 0, committedButLost: 0, duplicates: 0 };
  await page.route(`${BUS}/v1/topics/*/partitions/*/records`, async (route: Route) => {
    const request = route.request();
    if (request.method() !== "POST") return route.continue();
    const fault = seen.produce < 80 ? FAULTS[seen.produce % FAULTS.length]! : "pass";
    seen.produce++;
    if (fault === "abort") return route.abort("connectionreset");
    if (fault === "unavailable") {
      return route.fulfill({
        status: 503,
        headers: { "access-control-allow-origin": "*", "retry-after": "0", "content-type": "application/json" },
        body: JSON.stringify({ error: { code: "UNAVAILABLE", message: "test", retriable: true } }),
      });
    }
    // The request reaches the bus and commits...
    const response = await route.fetch();
    const body = await response.text();
    if ((JSON.parse(body) as { duplicate?: boolean }).duplicate) seen.duplicates++;
    if (fault === "lose-response") {
      seen.committedButLost++;
      return route.abort("connectionreset"); // ...and the answer is lost.
    }
    if (fault === "late") await new Promise((r) => setTimeout(r, 1_500)); // past the client's timeout
    return route.fulfill({ response, body }).catch(() => {}); // the page may have given up already
  });
  await h.start({ url: BUS, maxBatchRecords: 40, requestTimeoutMs: 1_000, backoff: { baseMs: 20, capMs: 200 } });

  const producing = h.produce({ topic, prefix: "x", count: 1_500, keys: 7, chunk: 30, jitterMs: 3 });
  // The link drops twice while batches are in flight.
  for (let i = 0; i < 2; i++) {
    await new Promise((r) => setTimeout(r, 300));
    await context.setOffline(true);
    await new Promise((r) => setTimeout(r, 400));
    await context.setOffline(false);
  }
  expect((await producing).failures).toEqual([]);
  expect(await h.flush(60_000)).toEqual({ ok: true });

  expectExactlyOnce(await readAll(BUS, topic), sent("x", 1_500, 7));
  expect(seen.committedButLost).toBeGreaterThan(3);
  expect(seen.duplicates, "resent batches were answered as duplicates").toBeGreaterThan(0);
  expect(await h.stats()).toMatchObject({ pending: 0, deadLettered: 0, acked: 1_500 });
  await context.close();
});
