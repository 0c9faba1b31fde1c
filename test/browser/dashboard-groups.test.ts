// The dashboard's consumer group pages in Chromium: a group with 300 records
// to catch up on shows its lag, and while a (slow) member consumes and
// commits, the lag the page shows falls to zero, never rising, through
// values in between; the lag chart gathers the samples.
import { expect, inject, it, beforeAll } from "vitest";
import { GroupConsumer, sleep } from "../support/group-consumer.ts";
import { useBrowser } from "./support/browser.ts";
import { DESKTOP, expectDashboardBuilt, openDashboard, screenshots } from "./support/dashboard.ts";
import { createTopic } from "./support/log.ts";

const BUS = inject("busUrl");
const browser = useBrowser();

beforeAll(() => expectDashboardBuilt(BUS));

async function post(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${BUS}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

it("shows a group's lag falling as its consumer catches up", async () => {
  const topic = await createTopic(BUS, "dash-lag", { partitions: 2 });
  const group = `${topic}-readers`;
  await post(`/v1/topics/${topic}/records`, { records: Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 10}`, value: i })) });
  // Committed offsets at the start of the log, before anyone consumes: 300 behind.
  await post(`/v1/groups/${group}/offsets/reset`, { topic, to: "earliest" });

  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, "#/groups");
  await page.getByRole("link", { name: group }).click();
  const lag = page.locator('[data-metric="total-lag"]');
  await expect.poll(() => lag.textContent(), { timeout: 15_000 }).toBe("300");
  await screenshots(page, "group-behind");

  const consumer = new GroupConsumer({ url: BUS, group, topics: [topic], name: "dashboard-test", maxRecords: 10, process: async () => void (await sleep(20)) });
  await consumer.start();
  const seen: number[] = [];
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const value = Number((await lag.textContent())!.replace(/,/g, ""));
    if (seen.at(-1) !== value) seen.push(value);
    if (value === 0) break;
    await sleep(100);
  }
  expect(seen.at(-1), `lag readings ${seen.join(" → ")}`).toBe(0);
  expect(seen.filter((v) => v > 0 && v < 300).length, `lag readings ${seen.join(" → ")}`).toBeGreaterThan(0);
  expect(seen, "lag never rises while nothing is produced").toEqual([...seen].sort((a, b) => b - a));
  // The member and its partitions are listed; the chart holds the samples.
  await page.getByRole("region", { name: "Members" }).getByRole("rowheader", { name: "dashboard-test" }).waitFor();
  expect(Number(await page.locator("figure.chart").getAttribute("data-samples"))).toBeGreaterThan(seen.length);
  await screenshots(page, "group");

  await page.getByRole("link", { name: "Groups" }).click();
  const row = page.getByRole("region", { name: "Consumer groups" }).locator("tr", { has: page.getByRole("link", { name: group }) });
  await expect.poll(() => row.locator("td").allTextContents(), { timeout: 15_000 }).toEqual(["Stable", "1", topic, "0"]);
  await screenshots(page, "groups");

  await consumer.close();
  expect(consumer.errors).toEqual([]);
  await context.close();
});
