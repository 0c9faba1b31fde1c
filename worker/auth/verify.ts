/**
 * @module
 * Turns an `Authorization` header into a Principal or a reason to refuse.
 * The operator token is compared in constant time; a JWT's `alg` is pinned
 * (HS256 against the configured secrets, RS256/ES256 against the JWKS key
 * its `kid` names, which must be a key of that very algorithm; nothing else,
 * never `none`), and `exp` is required.
 */

import { Jwt } from "hono/utils/jwt";
import { EdgelogClaim, principalFromClaim, superuser, type Principal } from "./grants.ts";
import { jwksKeys, jwksUrlProblem, type JsonWebKeys } from "./jwks.ts";
import type { AuthSettings } from "./settings.ts";

/** UNAVAILABLE: the token could not be checked (the JWKS is unreachable), which a retry may cure. */
export type Authentication = { ok: true; principal: Principal } | { ok: false; code: "UNAUTHORIZED" | "UNAVAILABLE"; message: string };

type Verification = { aud?: string; iss?: string };

const refuse = (message: string): Authentication => ({ ok: false, code: "UNAUTHORIZED", message });

export async function authenticate(authorization: string | undefined, settings: AuthSettings): Promise<Authentication> {
  if (authorization === undefined) return refuse("send 'Authorization: Bearer <token>'");
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
  if (!match) return refuse("the Authorization header must be 'Bearer <token>'");
  const token = match[1]!;
  if (settings.adminToken !== undefined && (await equalSecrets(token, settings.adminToken))) {
    return { ok: true, principal: superuser("admin") };
  }
  if (token.split(".").length !== 3) return refuse("the bearer token is neither the operator token nor a JWT");
  let alg: unknown;
  let kid: unknown;
  try {
    const header = Jwt.decode(token).header as { alg?: unknown; kid?: unknown };
    alg = header.alg;
    kid = header.kid;
  } catch {
    return refuse("the bearer token is not a well-formed JWT");
  }
  const verification: Verification = {
    ...(settings.audience !== undefined ? { aud: settings.audience } : {}),
    ...(settings.issuer !== undefined ? { iss: settings.issuer } : {}),
  };
  let payload: Record<string, unknown>;
  if (alg === "HS256" && settings.hsSecrets.length > 0) {
    const verified = await attempt(() => verifyWithSecrets(token, settings.hsSecrets, verification));
    if (!verified.ok) return verified;
    payload = verified.payload;
  } else if ((alg === "RS256" || alg === "ES256") && settings.jwksUrl !== undefined) {
    if (typeof kid !== "string" || kid === "") return refuse(`an ${alg} token must name its key in 'kid'`);
    const problem = jwksUrlProblem(settings.jwksUrl);
    if (problem) {
      console.error(problem);
      return refuse(problem);
    }
    let keys: JsonWebKeys;
    try {
      keys = await jwksKeys(settings.jwksUrl, kid);
    } catch (err) {
      console.error("JWKS unavailable", err);
      return { ok: false, code: "UNAVAILABLE", message: "the bus could not fetch its JWKS to check the token; retry" };
    }
    const key = keys.find((k) => k.kid === kid);
    if (!key) return refuse("the token's key id (kid) is not in the bus's JWKS");
    const mismatch = keyMismatch(key, alg);
    if (mismatch) return refuse(mismatch);
    const verified = await attempt(() => Jwt.verify(token, key, { alg, ...verification }));
    if (!verified.ok) return verified;
    payload = verified.payload;
  } else {
    return refuse(`tokens signed with alg '${String(alg)}' are not accepted by this bus`);
  }
  if (typeof payload.exp !== "number") return refuse("the token has no 'exp' claim; every token must expire");
  const sub = typeof payload.sub === "string" && payload.sub.length > 0 ? payload.sub : undefined;
  if (sub === undefined) return refuse("the token has no 'sub' claim");
  const claim = EdgelogClaim.safeParse(payload.edgelog ?? {});
  if (!claim.success) return refuse("the token's 'edgelog' claim is malformed");
  return { ok: true, principal: principalFromClaim(sub, claim.data) };
}

/**
 * Why `key` cannot check an `alg` token, or null when it can. The key, not
 * the token, decides: a token may not choose how its own key is used (an
 * RSA key for ES256, a key published for encryption).
 */
function keyMismatch(key: JsonWebKeys[number], alg: "RS256" | "ES256"): string | null {
  if (key.use !== undefined && key.use !== "sig") return "the token's key is not a signing key";
  if (key.alg !== undefined && key.alg !== alg) return `the token's alg '${alg}' does not match its key's alg`;
  const fits = alg === "RS256" ? key.kty === "RSA" : key.kty === "EC" && key.crv === "P-256";
  return fits ? null : `the token's alg '${alg}' does not match its key's type`;
}

async function attempt(verify: () => Promise<Record<string, unknown>>): Promise<{ ok: true; payload: Record<string, unknown> } | Extract<Authentication, { ok: false }>> {
  try {
    return { ok: true, payload: await verify() };
  } catch (err) {
    return { ok: false, code: "UNAUTHORIZED", message: reason(err) };
  }
}

/** Tries each secret (rotation): a token signed with any of them verifies. */
async function verifyWithSecrets(token: string, secrets: readonly string[], verification: Verification) {
  let last: unknown;
  for (const secret of secrets) {
    try {
      return await Jwt.verify(token, secret, { alg: "HS256", ...verification });
    } catch (err) {
      last = err;
      // Only a bad signature can depend on which secret was tried.
      if (!(err instanceof Error) || err.name !== "JwtTokenSignatureMismatched") throw err;
    }
  }
  throw last;
}

/** A client-facing reason from hono's JWT errors, which never contain secrets. */
function reason(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  switch (name) {
    case "JwtTokenExpired":
      return "the token has expired";
    case "JwtTokenNotBefore":
      return "the token is not valid yet (nbf)";
    case "JwtTokenAudience":
    case "JwtPayloadRequiresAud":
      return "the token is not for this bus (aud)";
    case "JwtTokenIssuer":
      return "the token's issuer is not accepted (iss)";
    case "JwtTokenSignatureMismatched":
      return "the token's signature does not verify";
    case "JwtTokenIssuedAt":
      return "the token is issued in the future (iat)";
    default:
      return "the token is invalid";
  }
}

/** Constant-time equality: both sides hashed to equal length first, so neither length nor content leaks through timing. */
async function equalSecrets(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
