// Page reloaded, tab closed and renderer crashed mid-sync, then reopened: no
// loss, no duplicate. Produce requests reach the bus and commit, but their
// answers are held back, so every interruption leaves committed batches the
// outbox still holds as unacknowledged: the reopened page must resend them
// with their original tuples, and the bus must answer "duplicate".
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { expect, inject, it } from "vitest";
import { useBrowser, openHarness, type Remote } from "./support/browser.ts";
import { createTopic, eventually, expectExactlyOnce, readAll, sent, type Sent } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

const OPTIONS = { url: BUS, maxBatchRecords: 25, backoff: { baseMs: 20, capMs: 200 } };

/** Lets produce requests commit on the bus but never answers them while `hold` is on. */
function holdAnswers(counter: { committed: number; duplicates: number; hold: boolean }) {
  return async (route: Route) => {
    if (route.request().method() !== "POST") return route.continue();
    if (!counter.hold) {
      const response = await route.fetch();
      const body = await response.text();
      if ((JSON.parse(body) as { duplicate?: boolean }).duplicate) counter.duplicates++;
      return route.fulfill({ response, body }).catch(() => {});
    }
    await route.fetch();
    counter.committed++;
    // Never answered: the page is reloaded, closed or crashed meanwhile.
  };
}

async function interruptedSession(context: BrowserContext, topic: string, prefix: string, page?: Page) {
  const counter = { committed: 0, duplicates: 0, hold: true };
  const opened = await openHarness(context, PAGE, page);
  await opened.page.route(`${BUS}/v1/topics/*/partitions/*/records`, holdAnswers(counter));
  await opened.h.start(OPTIONS);
  const result = await opened.h.produce({ topic, prefix, count: 300, keys: 5, chunk: 20 });
  expect(result.failures).toEqual([]);
  // One batch per partition is sealed and in flight at a time: each of them commits, unanswered.
  await eventually(() => counter.committed >= 2, 10_000, "committed but unanswered batches");
  return { ...opened, counter };
}

/** Reopens, delivers everything, and checks the batches that had committed were resent as they were. */
async function resumeAndFlush(context: BrowserContext, committedBefore: number, page?: Page): Promise<{ page: Page; h: Remote }> {
  const opened = await openHarness(context, PAGE, page);
  await opened.page.unrouteAll({ behavior: "ignoreErrors" });
  const counter = { committed: 0, duplicates: 0, hold: false };
  await opened.page.route(`${BUS}/v1/topics/*/partitions/*/records`, holdAnswers(counter));
  await opened.h.start(OPTIONS);
  expect(await opened.h.flush(30_000)).toEqual({ ok: true });
  // Same tuples, so the bus recognised every committed-but-unanswered batch.
  expect(counter.duplicates).toBeGreaterThanOrEqual(committedBefore);
  return opened;
}

it("survives a reload, a closed tab and a renderer crash mid-sync", async () => {
  const topic = await createTopic(BUS, "reload", { partitions: 3 });
  const context = await browser().newContext();
  const expected: Sent[] = [];

  // 1. Reload mid-sync.
  const first = await interruptedSession(context, topic, "reload");
  expected.push(...sent("reload", 300, 5));
  const stored = (await readAll(BUS, topic)).flat().length;
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(300);
  const reloaded = await resumeAndFlush(context, first.counter.committed, first.page);
  expectExactlyOnce(await readAll(BUS, topic), expected);
  await reloaded.page.close();

  // 2. Tab closed mid-sync, another tab opened later.
  const second = await interruptedSession(context, topic, "close");
  expected.push(...sent("close", 300, 5));
  await second.page.close();
  const reopened = await resumeAndFlush(context, second.counter.committed);
  expectExactlyOnce(await readAll(BUS, topic), expected);
  await reopened.page.close();

  // 3. Renderer crash mid-sync: no pagehide, no keepalive, nothing but what IndexedDB holds.
  const third = await interruptedSession(context, topic, "crash");
  expected.push(...sent("crash", 300, 5));
  const crashed = new Promise((r) => third.page.once("crash", r));
  const cdp = await context.newCDPSession(third.page);
  void cdp.send("Page.crash").catch(() => {}); // the session dies with the renderer
  await crashed;
  await third.page.close().catch(() => {});
  const recovered = await resumeAndFlush(context, third.counter.committed);
  expectExactlyOnce(await readAll(BUS, topic), expected);
  expect(await recovered.h.stats()).toMatchObject({ pending: 0, deadLettered: 0 });
  await context.close();
});
