/**
 * @module
 * The dashboard as the bus serves it (dist/web, built by `npm run build:web`):
 * open one of its pages, read its labelled numbers, and save screenshots at
 * desktop and phone size under test-results/screenshots/ (not committed).
 */

import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };
const SCREENSHOTS = resolve(import.meta.dirname, "../../../test-results/screenshots");

/** Fails at once, with the fix, when the bus serves no built dashboard. */
export async function expectDashboardBuilt(bus: string): Promise<void> {
  const html = await (await fetch(`${bus}/`)).text();
  expect(html.includes("data-edgelog-dashboard") && html.includes("/assets/"), "the bus serves no built dashboard: run `npm run build:web` first").toBe(true);
}

export async function openDashboard(context: BrowserContext, bus: string, route: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${bus}/${route}`);
  await page.locator("main h1").first().waitFor();
  return page;
}

/** The text of the element marked `data-metric="<name>"`, once it reads `expected`. */
export async function waitForMetric(page: Page, name: string, expected: string, timeout = 20_000): Promise<void> {
  const metric = page.locator(`[data-metric="${name}"]`);
  await expect.poll(() => metric.textContent(), { timeout, message: `${name} should read ${expected}` }).toBe(expected);
}

/** Full-page screenshots at desktop and phone width; at phone width nothing may overflow sideways. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300); // charts follow their container's width
    if (size === "phone") expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth), `${name} fits ${PHONE.width}px`).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: resolve(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}
