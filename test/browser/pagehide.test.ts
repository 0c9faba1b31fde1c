// The page goes away for good (closed, never reopened) while its batches are
// on their way: keep-alive requests, and the page-hide resend of a batch
// waiting out a retry, still deliver them — with their tuples, so a later
// resend by another tab is deduplicated.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject, it } from "vitest";
import { launchBrowser, openHarness } from "./support/browser.ts";
import { createTopic, eventually, expectExactlyOnce, readAll, sent } from "./support/log.ts";
import { busProxy, type BusProxy } from "./support/proxy.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
let browser: Browser;
let proxy: BusProxy | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await browser?.close();
});

it("a batch on the wire when the tab closes still arrives: its request is keep-alive", async () => {
  const topic = await createTopic(BUS, "keepalive", { partitions: 1 });
  proxy = await busProxy(BUS, () => ({ holdMs: 1_500 }));
  const context = await browser.newContext();
  const { page, h } = await openHarness(context, PAGE);
  await h.start({ url: proxy.url, lingerMs: 0 });
  expect((await h.produce({ topic, prefix: "ka", count: 50, keys: 3, chunk: 50 })).failures).toEqual([]);
  await eventually(() => proxy!.stats().received >= 1, 5_000, "the batch on the wire");
  await page.close();
  // Nobody reopens the page: the browser alone completes the request.
  await eventually(async () => (await readAll(BUS, topic)).flat().length === 50, 10_000, "delivery after close");
  expectExactlyOnce(await readAll(BUS, topic), sent("ka", 50, 3));
  await context.close();
});

it("a batch waiting out a Retry-After when the tab closes is sent at pagehide, with its tuple", async () => {
  const topic = await createTopic(BUS, "pagehide", { partitions: 1 });
  proxy = await busProxy(BUS, (_req, i) => (i === 0 ? { unavailableFor: 60 } : { pass: true }));
  const context = await browser.newContext();
  const { page, h } = await openHarness(context, PAGE);
  await h.start({ url: proxy.url, lingerMs: 0 });
  expect((await h.produce({ topic, prefix: "ph", count: 40, keys: 2, chunk: 40 })).failures).toEqual([]);
  await eventually(() => proxy!.stats().received === 1, 5_000, "the first attempt refused");
  await new Promise((r) => setTimeout(r, 200));
  expect((await readAll(BUS, topic)).flat()).toHaveLength(0);
  await page.close(); // pagehide: the waiting batch goes out with keepalive
  await eventually(async () => (await readAll(BUS, topic)).flat().length === 40, 10_000, "delivery at pagehide");

  // A tab opened later still holds the batch (the closed page could not record
  // the answer): it resends it with the same tuple, and the bus knows it.
  const later = await openHarness(context, PAGE);
  await later.h.start({ url: BUS });
  expect(await later.h.flush(10_000)).toEqual({ ok: true });
  expectExactlyOnce(await readAll(BUS, topic), sent("ph", 40, 2));
  await context.close();
});
