/**
 * @module
 * Signs an edgelog token: a compact HS256 JWT (RFC 7519) with the claims
 * PROTOCOL.md describes. Node's HMAC, so the CLI needs no JWT library.
 */

import { createHmac } from "node:crypto";
import { usageError } from "./errors.ts";

export type Action = "produce" | "consume" | "groups" | "admin";
export type Patterns = Partial<Record<Action, string[]>>;

export interface TokenClaims {
  sub: string;
  ttlSeconds: number;
  allow: Patterns;
  deny: Patterns;
  origins: string[];
  aud?: string;
  iss?: string;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function signToken(claims: TokenClaims, secret: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const payload = {
    sub: claims.sub,
    iat,
    nbf: iat,
    exp: iat + claims.ttlSeconds,
    ...(claims.aud !== undefined ? { aud: claims.aud } : {}),
    ...(claims.iss !== undefined ? { iss: claims.iss } : {}),
    edgelog: {
      allow: claims.allow,
      ...(Object.keys(claims.deny).length > 0 ? { deny: claims.deny } : {}),
      ...(claims.origins.length > 0 ? { origins: claims.origins } : {}),
    },
  };
  const unsigned = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}`;
  return `${unsigned}.${b64url(createHmac("sha256", secret).update(unsigned).digest())}`;
}

/** `produce:clicks` → ["produce", "clicks"]. */
export function parseGrant(text: string): [Action, string] {
  const at = text.indexOf(":");
  const action = text.slice(0, at);
  const pattern = text.slice(at + 1);
  if (at < 1 || !["produce", "consume", "groups", "admin"].includes(action) || pattern.length === 0) {
    throw usageError(`a grant is ACTION:PATTERN with ACTION one of produce, consume, groups, admin (got '${text}')`);
  }
  return [action as Action, pattern];
}

/** `90s`, `15m`, `1h`, `30d` → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw usageError(`a lifetime is a number and s, m, h or d, like 1h (got '${text}')`);
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
  if (n <= 0) throw usageError("a lifetime must be positive");
  return n;
}

export function collect(grants: string[]): Patterns {
  const out: Patterns = {};
  for (const g of grants) {
    const [action, pattern] = parseGrant(g);
    (out[action] ??= []).push(pattern);
  }
  return out;
}
