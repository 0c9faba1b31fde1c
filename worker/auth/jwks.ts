/**
 * @module
 * The JWKS document behind `EDGELOG_JWKS_URL`, cached per isolate so a token
 * check does not fetch it:
 *
 * - a fetched set serves for 10 minutes, then is fetched again;
 * - a token naming a `kid` the set lacks fetches it again at once (key
 *   rotation: a new key is usable as soon as the identity provider publishes
 *   it), but at most once every 10 s, so tokens with made-up key ids cannot
 *   turn the bus into a load generator against the provider;
 * - concurrent fetches of one URL share one request;
 * - when a refetch fails the old set keeps serving (a provider hiccup does
 *   not lock everyone out) and the next try waits 10 s; with no set at all
 *   the failure is thrown, and the caller answers 503.
 */

import type { Jwt } from "hono/utils/jwt";
import { isLoopbackHost } from "../loopback.ts";

export type JsonWebKeys = NonNullable<Parameters<typeof Jwt.verifyWithJwks>[1]["keys"]>;

const MAX_AGE_MS = 10 * 60_000;
const MIN_REFRESH_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;

interface Cached {
  keys: JsonWebKeys;
  fetchedAt: number;
  /** The last fetch, successful or not: the next may not start before MIN_REFRESH_MS has passed. */
  triedAt: number;
}

/**
 * Why the bus will not take keys from `url`, or null. A key set fetched
 * over plain http could be swapped on the way, letting anyone sign tokens,
 * so only https is used; http only for this machine (loopback.ts).
 */
export function jwksUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "the bus's EDGELOG_JWKS_URL is not a URL, so it cannot check RS256/ES256 tokens";
  }
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) return null;
  return "the bus's EDGELOG_JWKS_URL must be https (plain http only for this machine), so it does not check RS256/ES256 tokens against it";
}

const cache = new Map<string, Cached>();
const inflight = new Map<string, Promise<Cached>>();

export async function jwksKeys(url: string, kid: string | undefined): Promise<JsonWebKeys> {
  const cached = cache.get(url);
  if (cached) {
    const now = Date.now();
    const fresh = now - cached.fetchedAt < MAX_AGE_MS;
    const unknownKid = kid !== undefined && !cached.keys.some((k) => k.kid === kid);
    if (now - cached.triedAt < MIN_REFRESH_MS || (fresh && !unknownKid)) return cached.keys;
  }
  let request = inflight.get(url);
  if (!request) {
    request = fetchKeys(url).finally(() => inflight.delete(url));
    inflight.set(url, request);
  }
  try {
    return (await request).keys;
  } catch (err) {
    if (!cached) throw err;
    cached.triedAt = Date.now();
    return cached.keys;
  }
}

async function fetchKeys(url: string): Promise<Cached> {
  const res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`the JWKS at ${url} answered ${res.status}`);
  }
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`the JWKS at ${url} has no keys array`);
  const keys = body.keys.filter((k): k is JsonWebKeys[number] => typeof k === "object" && k !== null);
  const now = Date.now();
  const fetched = { keys, fetchedAt: now, triedAt: now };
  cache.set(url, fetched);
  return fetched;
}
