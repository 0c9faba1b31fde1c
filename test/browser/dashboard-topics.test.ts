// The dashboard's topic pages in Chromium, against the bus that serves them:
// a topic is created and produced to from the forms with the keyboard alone,
// the record shows in the live tail, bad input is refused with a message and
// changes nothing, and the throughput page sees the records arrive.
import type { Page } from "playwright-core";
import { beforeAll, expect, inject, it } from "vitest";
import { uniqueTopic } from "../support/api.ts";
import { useBrowser } from "./support/browser.ts";
import { DESKTOP, expectDashboardBuilt, openDashboard, screenshots } from "./support/dashboard.ts";
import { readAll } from "./support/log.ts";

const BUS = inject("busUrl");
const browser = useBrowser();

beforeAll(() => expectDashboardBuilt(BUS));

/** The label of the focused control (what a screen reader announces). */
function focused(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    type Focused = { textContent: string | null; labels?: { textContent: string | null }[] | null };
    const el = (globalThis as unknown as { document: { activeElement: Focused | null } }).document.activeElement;
    return (el?.labels?.[0]?.textContent ?? el?.textContent ?? undefined)?.trim();
  });
}

async function tab(page: Page, expected: string): Promise<void> {
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe(expected);
}

async function topicConfig(name: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${BUS}/v1/topics/${name}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { config: Record<string, unknown> }).config;
}

it("creates a topic and produces to it with the keyboard; the live tail shows the record", async () => {
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, "#/");
  const name = uniqueTopic("dash");

  await page.getByLabel("Name", { exact: true }).focus();
  await page.keyboard.type(name);
  await tab(page, "Partitions");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("3");
  await tab(page, "Keep records for");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("2");
  await tab(page, "Unit");
  await page.keyboard.press("ArrowDown"); // days → hours
  await tab(page, "Retention size per partition (bytes)");
  await tab(page, "Cleanup policy");
  await tab(page, "Create topic");
  await page.keyboard.press("Enter");

  await page.waitForURL(`**/#/topics/${name}`);
  await page.getByRole("heading", { level: 1, name: `Topic ${name}` }).waitFor();
  expect(await topicConfig(name)).toMatchObject({ partitions: 3, retentionMs: 2 * 3_600_000, retentionBytes: -1, cleanupPolicy: "delete" });
  // The new topic's three partitions are listed, empty.
  await expect.poll(() => page.getByRole("region", { name: "Partitions" }).locator("tbody tr").count(), { timeout: 15_000 }).toBe(3);

  await page.getByLabel("Key", { exact: true }).focus();
  await page.keyboard.type("user-7");
  await tab(page, "JSON");
  await tab(page, "Value");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type('{"clicks": 7, "page": "/pricing"}');
  await tab(page, "Headers");
  await page.keyboard.type("source: keyboard");
  await tab(page, "Partition");
  await tab(page, "Send record");
  await page.keyboard.press("Enter");
  await page.getByText(/acknowledged by the bus/).waitFor();

  // The bus has it, once, with its key, value and headers...
  const stored = (await readAll(BUS, name)).flatMap((records, partition) => records.map((r) => ({ ...r, partition })));
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ key: "user-7", value: { clicks: 7, page: "/pricing" }, headers: { source: "keyboard" }, offset: 0 });
  // ...and the live tail shows it where the bus put it.
  const row = page.locator("table.tail tbody tr", { hasText: "user-7" });
  await row.waitFor();
  expect(await row.getAttribute("data-partition")).toBe(String(stored[0]!.partition));
  expect(await row.textContent()).toContain('{"clicks":7,"page":"/pricing"}');
  expect(await row.textContent()).toContain("source: keyboard");
  await screenshots(page, "topic");

  // A record produced by someone else arrives in the tail too.
  const res = await fetch(`${BUS}/v1/topics/${name}/records`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ records: [{ key: "from-http", value: "plain text" }] }),
  });
  expect(res.status).toBe(200);
  await page.locator("table.tail tbody tr", { hasText: "from-http" }).waitFor();

  // The topics list shows it with its partitions and records.
  await page.getByRole("link", { name: "Topics" }).click();
  const listed = page.getByRole("region", { name: "All topics" }).locator("tr", { has: page.getByRole("link", { name, exact: true }) });
  await expect.poll(() => listed.locator("td").allTextContents(), { timeout: 15_000 }).toEqual(["3", "2", expect.stringMatching(/ B$/), expect.stringMatching(/\/s$/), "delete", "2 h"]);
  // The list refreshes every two seconds without taking the keyboard focus away.
  await page.getByRole("link", { name, exact: true }).focus();
  await page.waitForTimeout(4_500);
  expect(await focused(page)).toBe(name);
  await screenshots(page, "topics");
  await context.close();
});

it("refuses bad input with a message and changes nothing", async () => {
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, "#/");
  const name = uniqueTopic("dash-bad");
  const created = await fetch(`${BUS}/v1/topics/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: '{"partitions":2}' });
  expect(created.status).toBe(201);

  // The same name with another config: the bus's refusal is shown, the topic stays as it was.
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Partitions").fill("5");
  await page.getByRole("button", { name: "Create topic" }).click();
  await expect.poll(() => page.getByRole("alert").allTextContents(), { timeout: 15_000 }).toContainEqual(expect.stringContaining("TOPIC_ALREADY_EXISTS"));
  expect(await topicConfig(name)).toMatchObject({ partitions: 2 });
  expect(page.url()).toMatch(/#\/$/);

  // Invalid JSON never leaves the page.
  await page.goto(`${BUS}/#/topics/${name}`);
  await page.getByLabel("Value", { exact: true }).fill("{not json");
  await page.getByRole("button", { name: "Send record" }).click();
  const value = page.getByLabel("Value", { exact: true });
  await expect.poll(() => value.getAttribute("aria-invalid"), { timeout: 15_000 }).toBe("true");
  const focusedId = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id);
  expect(focusedId).toBe(await value.getAttribute("id"));
  expect((await readAll(BUS, name)).flat()).toHaveLength(0);
  await context.close();
});

it("shows each topic's records per second on the throughput page", async () => {
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, "#/throughput");
  const name = uniqueTopic("dash-rate");
  await fetch(`${BUS}/v1/topics/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: '{"partitions":2}' });
  // Produce for a few of the monitor's polls, so it sees the high watermarks move.
  const stop = Date.now() + 6_000;
  while (Date.now() < stop) {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: i }));
    const res = await fetch(`${BUS}/v1/topics/${name}/records`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records }) });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
  }
  const peak = page.locator(`[data-peak="${name}"]`);
  await peak.waitFor({ timeout: 10_000 });
  expect(Number.parseFloat((await peak.textContent())!.replace(/,/g, ""))).toBeGreaterThan(0);
  expect(Number(await page.locator("figure.chart").getAttribute("data-samples"))).toBeGreaterThan(1);
  await page.locator("figure.chart canvas").first().waitFor();
  await screenshots(page, "throughput");
  await context.close();
});

it("changes a topic's config from its page, sending only what changed", async () => {
  const name = uniqueTopic("dash-config");
  const created = await fetch(`${BUS}/v1/topics/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: '{"partitions":1}' });
  expect(created.status).toBe(201);
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, BUS, `#/topics/${name}`);
  const save = page.getByRole("button", { name: "Save changes" });

  await save.click();
  await page.getByText("Nothing changed.").waitFor();
  await page.getByRole("spinbutton", { name: "Partitions" }).fill("4");
  await page.getByLabel("Cleanup policy").selectOption("compact");
  await page.getByLabel("Unit").selectOption({ label: "forever" });
  expect(await page.getByLabel("Keep records for").isDisabled()).toBe(true);
  await save.click();
  await page.getByText("Saved: partitions, retentionMs, cleanupPolicy.").waitFor();
  expect(await topicConfig(name)).toMatchObject({ partitions: 4, retentionMs: -1, cleanupPolicy: "compact", retentionBytes: -1 });
  // The partition table follows the bus: four partitions now.
  await expect.poll(() => page.getByRole("region", { name: "Partitions" }).locator("tbody tr").count(), { timeout: 15_000 }).toBe(4);
  // So do the produce form and the live tail, without a reload: a record
  // sent to the new partition 3 from the form shows in the tail.
  const partition = page.getByLabel("Partition", { exact: true });
  await expect.poll(() => partition.locator("option").count(), { timeout: 15_000 }).toBe(5);
  await partition.selectOption({ label: "Partition 3" });
  await page.getByLabel("Key", { exact: true }).fill("k"); // the topic is compacted now: records need a key
  await page.getByLabel("Value", { exact: true }).fill('{"to":"partition 3"}');
  await page.getByRole("button", { name: "Send record" }).click();
  await page.getByText(/acknowledged by the bus/).waitFor();
  const records = await readAll(BUS, name);
  expect(records[3]!.map((r) => r.value)).toEqual([{ to: "partition 3" }]);
  await page.getByLabel("Partition to follow").selectOption({ label: "Partition 3" });
  const row = page.locator("table.tail tbody tr", { hasText: '"partition 3"' });
  await row.waitFor({ timeout: 15_000 });
  expect(await row.getAttribute("data-partition")).toBe("3");
  await context.close();
});
