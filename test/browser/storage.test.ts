// Quota or policy limits reached: the `dropped` event fires with a count, a
// refusal is a typed rejection, and nothing is lost silently.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, expect, inject, it } from "vitest";
import { useBrowser, launchPersistent, openHarness } from "./support/browser.ts";
import { createTopic, expectExactlyOnce, readAll, sent } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

it("drop-oldest: evicts the oldest records, counts them, says so, and delivers the rest", async () => {
  const topic = await createTopic(BUS, "drop", { partitions: 2 });
  const context = await browser().newContext();
  const { h } = await openHarness(context, PAGE);
  await h.start({ url: BUS, maxOutboxRecords: 100, outboxPolicy: "drop-oldest" });
  await context.setOffline(true);
  const result = await h.produce({ topic, prefix: "d", count: 150, keys: 3, chunk: 10 });
  expect(result.failures).toEqual([]);
  const dropped = (await h.events()).filter((e) => e.type === "dropped");
  expect(dropped.reduce((sum, e) => sum + e.count!, 0)).toBe(50);
  expect(dropped.every((e) => e.reason === "outbox-full")).toBe(true);
  expect(dropped.at(-1)!.total).toBe(50);
  expect(await h.stats()).toMatchObject({ pending: 100, dropped: 50 });

  await context.setOffline(false);
  expect(await h.flush(30_000)).toEqual({ ok: true });
  expectExactlyOnce(await readAll(BUS, topic), sent("d", 100, 3, 50));
  await context.close();
});

it("reject: send() rejects with OUTBOX_FULL and stores nothing; a flush over dropped records rejects", async () => {
  const topic = await createTopic(BUS, "reject", { partitions: 1 });
  const context = await browser().newContext();
  const { h } = await openHarness(context, PAGE);
  await h.start({ url: BUS, maxOutboxRecords: 50, outboxPolicy: "reject" });
  await context.setOffline(true);
  const result = await h.produce({ topic, prefix: "r", count: 60, keys: 2, chunk: 10 });
  expect(result.failures).toEqual([{ code: "OUTBOX_FULL", n: 50 }]);
  expect(await h.stats()).toMatchObject({ pending: 50, dropped: 0 });
  expect((await h.events()).filter((e) => e.type === "dropped")).toEqual([]);
  await context.setOffline(false);
  expect(await h.flush(30_000)).toEqual({ ok: true });
  expectExactlyOnce(await readAll(BUS, topic), sent("r", 50, 2));
  await context.close();
});

it("a flush waiting on records that get dropped rejects with RECORDS_DROPPED", async () => {
  const topic = await createTopic(BUS, "flushdrop", { partitions: 1 });
  const context = await browser().newContext();
  const { page, h } = await openHarness(context, PAGE);
  await h.start({ url: BUS, maxOutboxRecords: 20 });
  await context.setOffline(true);
  await h.produce({ topic, prefix: "a", count: 20, keys: 1, chunk: 20 });
  const flushing = h.flush(20_000);
  await new Promise((r) => setTimeout(r, 200));
  await h.produce({ topic, prefix: "b", count: 5, keys: 1, chunk: 5 });
  expect(await flushing).toMatchObject({ ok: false, code: "RECORDS_DROPPED" });
  await page.close();
  await context.close();
});

let profile: string | undefined;
let persistent: BrowserContext | undefined;
afterAll(async () => {
  await persistent?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

it("the browser's quota running out: dropped and counted (drop-oldest), refused (reject), the rest delivered once space is back", async () => {
  const topic = await createTopic(BUS, "quota", { partitions: 1 });
  profile = mkdtempSync(join(tmpdir(), "edgelog-profile-"));
  persistent = await launchPersistent(profile);
  const { page, h } = await openHarness(persistent, PAGE);
  const other = await openHarness(persistent, PAGE);
  const cdp = await persistent.newCDPSession(page);
  const origin = new URL(PAGE).origin;
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 2 * 1024 * 1024 });
  // The configured bounds are far above the quota: the browser says no first.
  await h.start({ url: BUS, name: "quota-drop", outboxPolicy: "drop-oldest" });
  await persistent.setOffline(true);
  const result = await h.produce({ topic, prefix: "q", count: 80, keys: 1, chunk: 1, pad: 40_000 });
  expect(result.failures.length, "the quota was reached").toBeGreaterThan(0);
  expect(result.failures.every((f) => f.code === "OUTBOX_FULL")).toBe(true);
  const dropped = (await h.events()).filter((e) => e.type === "dropped");
  expect(dropped.length).toBeGreaterThan(0);
  expect(dropped.every((e) => e.reason === "quota" && e.count! > 0)).toBe(true);
  const droppedCount = dropped.reduce((sum, e) => sum + e.count!, 0);
  const stats = await h.stats();
  expect(stats.dropped).toBe(droppedCount);
  expect(dropped.at(-1)!.total).toBe(droppedCount);
  // Every refused send is counted as dropped; what was stored is all still there.
  expect(droppedCount).toBeGreaterThanOrEqual(result.failures.length);
  const stored = stats.pending;
  expect(stored).toBeGreaterThan(0);

  // The same quota under "reject": send() rejects; nothing is dropped.
  await other.h.start({ url: BUS, name: "quota-reject", outboxPolicy: "reject" });
  const refused = await other.h.produce({ topic, prefix: "z", count: 5, keys: 1, chunk: 1, pad: 40_000 });
  expect(refused.failures.map((f) => f.code)).toEqual(["OUTBOX_FULL", "OUTBOX_FULL", "OUTBOX_FULL", "OUTBOX_FULL", "OUTBOX_FULL"]);
  expect((await other.h.events()).filter((e) => e.type === "dropped")).toEqual([]);
  await other.page.close();

  // Space comes back (the user cleared some): what the outbox held is delivered, once.
  await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  await persistent.setOffline(false);
  expect(await h.flush(60_000)).toEqual({ ok: true });
  const delivered = (await readAll(BUS, topic)).flat().map((r) => (r.value as { n: number }).n);
  expect(new Set(delivered).size).toBe(delivered.length);
  expect(delivered.length).toBe(stored);
  expect(delivered.length + droppedCount).toBe(80);
});
