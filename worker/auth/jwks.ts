/**
 * @module
 * The JWKS document behind `EDGELOG_JWKS_URL`, cached per isolate so a token
 * check does not fetch it; refreshed when it is old, or (at most once a
 * minute) when a token names a key id the cached set lacks (key rotation).
 */

import type { Jwt } from "hono/utils/jwt";

export type JsonWebKeys = NonNullable<Parameters<typeof Jwt.verifyWithJwks>[1]["keys"]>;

const MAX_AGE_MS = 10 * 60_000;
const MIN_REFRESH_MS = 60_000;

interface Cached {
  keys: JsonWebKeys;
  fetchedAt: number;
}

const cache = new Map<string, Cached>();

export async function jwksKeys(url: string, kid: string | undefined): Promise<JsonWebKeys> {
  const cached = cache.get(url);
  const now = Date.now();
  const missing = kid !== undefined && cached !== undefined && !cached.keys.some((k) => k.kid === kid);
  if (cached && now - cached.fetchedAt < MAX_AGE_MS && !(missing && now - cached.fetchedAt >= MIN_REFRESH_MS)) {
    return cached.keys;
  }
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error("JWKS has no keys array");
  const keys = body.keys as JsonWebKeys;
  cache.set(url, { keys, fetchedAt: now });
  return keys;
}
