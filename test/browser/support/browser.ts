/**
 * @module
 * Debian's Chromium through playwright-core, and the harness page in it:
 * `remote(page)` calls the in-page harness as if it were local.
 */

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { Harness } from "../page/api.ts";

/** Debian's Chromium by default; CHROMIUM_PATH names another Chromium or Chrome. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Several pages share one context and must all keep running.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

/** Launches Chromium before a file's tests and closes it after them; call the getter inside tests. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: EXECUTABLE, args: CHROMIUM_ARGS });
}

/** A context whose profile lives on disk: needed for a storage quota override to apply. */
export function launchPersistent(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: EXECUTABLE, args: CHROMIUM_ARGS });
}

export type Remote = {
  [K in keyof Harness]: (...args: Parameters<Harness[K]>) => Promise<Awaited<ReturnType<Harness[K]>>>;
};

/** Calls into the page's harness. */
export function remote(page: Page): Remote {
  return new Proxy({} as Remote, {
    get: (_, name: string) =>
      (...args: unknown[]) =>
        page.evaluate(
          ([method, params]) => {
            const h = (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness;
            return h[method as string]!(...(params as unknown[]));
          },
          [name, args] as const,
        ),
  });
}

/** Opens the harness page (or reloads it) and waits until it is ready. */
export async function openHarness(context: BrowserContext, pageUrl: string, page?: Page): Promise<{ page: Page; h: Remote }> {
  const p = page ?? (await context.newPage());
  if (page) await p.reload();
  else await p.goto(pageUrl, { timeout: 10_000 });
  await p.waitForFunction(() => (globalThis as unknown as { harness?: unknown }).harness !== undefined, undefined, { timeout: 10_000 });
  return { page: p, h: remote(p) };
}
