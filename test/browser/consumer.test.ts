// A consumer reloaded mid-stream resumes from its stored position; live
// records arrive by long-poll; positions can start from a timestamp.
import { expect, inject, it } from "vitest";
import { useBrowser, openHarness } from "./support/browser.ts";
import { createTopic, eventually } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

async function produce(topic: string, values: { key: string; value: unknown; timestamp?: number }[]): Promise<void> {
  const res = await fetch(`${BUS}/v1/topics/${topic}/records`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ records: values }),
  });
  expect(res.status).toBe(200);
}

it("resumes after a reload mid-stream from the stored position, then follows live records", async () => {
  const topic = await createTopic(BUS, "consume", { partitions: 3 });
  await produce(topic, Array.from({ length: 300 }, (_, n) => ({ key: `k${n % 9}`, value: n })));
  const context = await browser().newContext();
  const first = await openHarness(context, PAGE);
  await first.h.start({ url: BUS });
  // A few ms of work per record, so the reload lands mid-stream.
  await first.h.consume({ topic, id: "reader", from: "earliest", waitMs: 1_000, processMs: 5 });
  await eventually(async () => (await first.h.consumed()).length >= 100, 10_000, "100 records consumed");
  // Reloaded while the iterator is mid-stream: no close(), no cleanup.
  const resumed = await openHarness(context, PAGE, first.page);
  expect(await resumed.h.load()).toBe(2);
  await resumed.h.start({ url: BUS });
  await resumed.h.consume({ topic, id: "reader", from: "earliest", waitMs: 1_000 });
  await eventually(
    async () => new Set((await resumed.h.consumed()).map((r) => `${r.partition}/${r.offset}`)).size === 300,
    15_000,
    "every record consumed across the reload",
  );

  const all = await resumed.h.consumed();
  const before = all.filter((r) => r.load === 1);
  const after = all.filter((r) => r.load === 2);
  expect(before.length).toBeGreaterThanOrEqual(100);
  expect(before.length).toBeLessThan(300);
  // Each partition resumes right after the last record processed before the
  // reload, or at that record itself if the reload came before the loop asked
  // for the next one (it is the only one that can come twice).
  for (let p = 0; p < 3; p++) {
    const processed = before.filter((r) => r.partition === p).map((r) => r.offset);
    const resumedAt = after.find((r) => r.partition === p)?.offset;
    if (resumedAt === undefined) continue; // that partition was done before the reload
    const last = processed.length ? Math.max(...processed) : -1;
    expect([last, last + 1], `partition ${p} resumes at ${resumedAt}`).toContain(resumedAt);
  }
  const twice = after.filter((r) => before.some((b) => b.partition === r.partition && b.offset === r.offset));
  expect(twice.length, "at most the record in hand at the reload comes again").toBeLessThanOrEqual(1);

  // Live: records produced now reach the waiting iterator.
  await produce(topic, [{ key: "live", value: "live-1" }]);
  await eventually(async () => (await resumed.h.consumed()).some((r) => r.value === "live-1"), 10_000, "a live record");
  await resumed.h.stopConsuming();
  await context.close();
});

it("starts from a timestamp or the latest offset when no position is stored", async () => {
  const topic = await createTopic(BUS, "consume-ts", { partitions: 1 });
  // Recent times: retention (7 days by default) would delete older records.
  const t0 = Date.now() - 60_000;
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ key: "k", value: n, timestamp: t0 + n * 1_000 })));
  const context = await browser().newContext();
  const { h } = await openHarness(context, PAGE);
  await h.start({ url: BUS });
  await h.consume({ topic, id: "by-time", from: { timestamp: t0 + 6_500 }, waitMs: 500 });
  await eventually(async () => (await h.consumed()).length === 3, 10_000, "records from the timestamp");
  expect((await h.consumed()).map((r) => r.value)).toEqual([7, 8, 9]);
  await h.stopConsuming();

  await h.consume({ topic, id: "from-latest", from: "latest", waitMs: 300 });
  await new Promise((r) => setTimeout(r, 800)); // its start position is pinned at the first answer
  await produce(topic, [{ key: "k", value: "new" }]);
  await eventually(async () => (await h.consumed()).length === 4, 10_000, "the new record");
  expect((await h.consumed()).map((r) => r.value)).toEqual([7, 8, 9, "new"]);
  await h.stopConsuming();
  await context.close();
});

it("track() sends an event with page context; the anonymous id survives a reload, the session id is per tab", async () => {
  const topic = await createTopic(BUS, "track", { partitions: 2 });
  const context = await browser().newContext();
  const tab = await openHarness(context, PAGE);
  await tab.h.start({ url: BUS });
  expect(await tab.h.track(topic, "signup", { plan: "pro" })).toEqual({ ok: true });
  expect(await tab.h.flush(10_000)).toEqual({ ok: true });
  const reloaded = await openHarness(context, PAGE, tab.page);
  await reloaded.h.start({ url: BUS });
  expect(await reloaded.h.track(topic, "login", {})).toEqual({ ok: true });
  const other = await openHarness(context, `${PAGE}other.html`);
  await other.h.start({ url: BUS });
  expect(await other.h.track(topic, "view", {})).toEqual({ ok: true });
  expect(await other.h.flush(10_000)).toEqual({ ok: true });

  const events: Record<string, Record<string, unknown>> = {};
  for (let p = 0; p < 2; p++) {
    const res = await fetch(`${BUS}/v1/topics/${topic}/partitions/${p}/records?offset=earliest`);
    for (const r of ((await res.json()) as { records: { key: string; value: Record<string, unknown> }[] }).records) {
      expect(r.key).toBe(r.value.anonymousId);
      events[r.value.event as string] = r.value;
    }
  }
  expect(Object.keys(events).sort()).toEqual(["login", "signup", "view"]);
  expect(events.signup).toMatchObject({ properties: { plan: "pro" }, url: PAGE, referrer: null });
  expect(typeof events.signup!.timestamp).toBe("number");
  expect(events.login!.anonymousId).toBe(events.signup!.anonymousId);
  expect(events.view!.anonymousId).toBe(events.signup!.anonymousId);
  expect(events.login!.sessionId, "a reload keeps the tab's session").toBe(events.signup!.sessionId);
  expect(events.view!.sessionId, "another tab is another session").not.toBe(events.signup!.sessionId);
  expect(events.view!.url).toBe(`${PAGE}other.html`);
  await context.close();
});
