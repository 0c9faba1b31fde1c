// The activity demo in Chromium: clicks tracked while the browser is offline
// wait in the outbox through a reload (the page itself loads from its
// service worker), and once online exactly those events reach the topic,
// each once, and show in the live tail. The in-page switch holds events
// back the same way while the real network stays up.
import type { Page } from "playwright-core";
import { beforeAll, expect, inject, it } from "vitest";
import { uniqueTopic } from "../support/api.ts";
import { useBrowser } from "./support/browser.ts";
import { DESKTOP, expectDashboardBuilt, openDashboard, screenshots, waitForMetric } from "./support/dashboard.ts";
import { readAll } from "./support/log.ts";

const BUS = inject("busUrl");
const browser = useBrowser();

beforeAll(() => expectDashboardBuilt(BUS));

interface Tracked {
  event: string;
  eventId: string;
  properties: Record<string, unknown>;
}

async function tracked(topic: string): Promise<Tracked[]> {
  return (await readAll(BUS, topic)).flat().map((r) => r.value as unknown as Tracked);
}

function tailRows(page: Page, text: string) {
  return page.locator("table.tail tbody tr", { hasText: text });
}

it("keeps 50 clicks made offline through a reload and delivers each exactly once when back online", async () => {
  const topic = uniqueTopic("demo");
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, `#/demo?topic=${topic}`);
  // The demo created its topic, its first page view is on the bus, and the page can load offline.
  await waitForMetric(page, "acked", "1");
  await waitForMetric(page, "offline-ready", "ready");
  expect((await tracked(topic)).map((e) => e.event)).toEqual(["page_view"]);

  await context.setOffline(true);
  await waitForMetric(page, "link", "offline");
  const add = page.getByRole("button", { name: "Add mug to cart" });
  for (let i = 0; i < 50; i++) await add.click();
  await waitForMetric(page, "pending", "50");
  await new Promise((r) => setTimeout(r, 500));
  expect(await tracked(topic)).toHaveLength(1);

  await page.reload(); // still offline: the service worker serves the page
  await page.locator("main h1").waitFor();
  // The 50 clicks survived the reload, with this load's page view behind them.
  await waitForMetric(page, "pending", "51");
  await waitForMetric(page, "client-online", "offline");
  await screenshots(page, "demo-offline");

  await context.setOffline(false);
  await waitForMetric(page, "pending", "0", 30_000);
  await waitForMetric(page, "acked", "52");
  const events = await tracked(topic);
  const clicks = events.filter((e) => e.event === "click");
  expect(clicks).toHaveLength(50);
  expect(new Set(clicks.map((e) => e.eventId)).size).toBe(50);
  expect(clicks.every((e) => e.properties.action === "add_to_cart" && e.properties.product === "mug")).toBe(true);
  expect(events.filter((e) => e.event === "page_view")).toHaveLength(2);
  expect(events).toHaveLength(52);
  // The live tail shows the same events: the ones queued before the reload too.
  await expect.poll(() => tailRows(page, "add_to_cart").count(), { timeout: 20_000 }).toBe(50);
  await expect.poll(() => tailRows(page, "page_view").count(), { timeout: 15_000 }).toBe(2);
  await screenshots(page, "demo");
  await context.close();
});

it("holds events in the outbox while the in-page switch says offline, and sends them when it is turned off", async () => {
  const topic = uniqueTopic("demo-switch");
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, `#/demo?topic=${topic}`);
  await waitForMetric(page, "acked", "1");

  const toggle = page.getByRole("switch", { name: "Simulate offline" });
  await toggle.focus();
  await page.keyboard.press("Space");
  expect(await toggle.getAttribute("aria-checked")).toBe("true");
  await waitForMetric(page, "client-online", "offline");
  const like = page.getByRole("button", { name: "Like stickers" });
  for (let i = 0; i < 5; i++) await like.click();
  await waitForMetric(page, "pending", "5");
  await new Promise((r) => setTimeout(r, 500));
  expect(await tracked(topic)).toHaveLength(1);

  // A reload keeps the switch (and so the client) offline.
  await page.reload();
  await page.locator("main h1").waitFor();
  expect(await page.getByRole("switch", { name: "Simulate offline" }).getAttribute("aria-checked")).toBe("true");
  await waitForMetric(page, "pending", "6");
  await new Promise((r) => setTimeout(r, 500));
  expect(await tracked(topic)).toHaveLength(1);

  await page.getByRole("switch", { name: "Simulate offline" }).click();
  await waitForMetric(page, "pending", "0");
  const events = await tracked(topic);
  expect(events.filter((e) => e.properties.action === "like")).toHaveLength(5);
  expect(events).toHaveLength(7);
  expect(new Set(events.map((e) => e.eventId)).size).toBe(7);
  await expect.poll(() => tailRows(page, "like").count(), { timeout: 20_000 }).toBe(5);
  await context.close();
});
