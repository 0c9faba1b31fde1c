/**
 * @module
 * The dashboard's service worker, so the page loads with no network (the
 * activity demo's point: events tracked offline survive a reload). Pages
 * are network-first (an online visit always gets the current build) with
 * the cached page as the fallback; built assets have content hashes in
 * their names, so they are cache-first. The API (/v1) is never touched:
 * the client library does its own offline handling.
 */

export {};
declare const self: ServiceWorkerGlobalScope;

const CACHE = "edgelog-dashboard";
const PAGE = "/";

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/v1/")) return;
  if (request.mode === "navigate") event.respondWith(networkFirst(request));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(cacheFirst(request));
});

/** The page and the assets it names; assets of earlier builds are dropped. */
async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  const page = await fetch(PAGE, { cache: "no-cache" });
  if (!page.ok) throw new Error(`GET ${PAGE}: ${page.status}`);
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  await cache.addAll(assets);
  await cache.put(PAGE, page);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/assets/") && !assets.includes(path)) await cache.delete(request);
  }
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Every route of the dashboard is the same page (hash routing, SPA fallback).
    if (response.ok) await cache.put(PAGE, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(PAGE);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
