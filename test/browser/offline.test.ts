// Offline for the whole recording, then online: everything arrives once, in order per key.
import { expect, inject, it } from "vitest";
import { useBrowser, openHarness } from "./support/browser.ts";
import { createTopic, eventually, expectExactlyOnce, readAll, sent } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

it("records everything offline, then delivers it once, in order per key, when back online", async () => {
  const topic = await createTopic(BUS, "offline", { partitions: 3 });
  const context = await browser().newContext();
  const { h } = await openHarness(context, PAGE);
  await h.start({ url: BUS, maxBatchRecords: 100, backoff: { baseMs: 50, capMs: 500 } });

  await context.setOffline(true);
  const first = await h.produce({ topic, prefix: "a", count: 400, keys: 6, chunk: 25, jitterMs: 2 });
  const burst = await h.produceBurst({ topic, prefix: "b", count: 200, keys: 4 });
  expect(first.failures).toEqual([]);
  expect(burst.failures).toEqual([]);
  // Durable while offline: all of it waits in the outbox, none of it reached the bus.
  expect((await h.stats()).pending).toBe(600);
  await new Promise((r) => setTimeout(r, 500));
  expect((await readAll(BUS, topic)).flat()).toHaveLength(0);
  expect((await h.events()).map((e) => e.type)).toContain("offline");

  await context.setOffline(false);
  expect(await h.flush(30_000)).toEqual({ ok: true });
  expectExactlyOnce(await readAll(BUS, topic), [...sent("a", 400, 6), ...sent("b", 200, 4)]);
  const stats = await h.stats();
  expect(stats).toMatchObject({ pending: 0, dropped: 0, deadLettered: 0, acked: 600 });
  await eventually(async () => (await h.events()).some((e) => e.type === "synced"), 5_000, "synced");
  expect((await h.events()).map((e) => e.type)).toContain("online");
  await context.close();
});
