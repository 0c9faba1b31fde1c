/**
 * @module
 * Tokens for the worker-auth project, whose bus requires them (vitest.config.ts:
 * secrets `test-secret-1,test-secret-2`, audience `edgelog-test`, operator
 * token `test-admin-token`).
 */

import { Jwt } from "hono/utils/jwt";
import { call } from "./support.ts";

export const SECRET = "test-secret-1";
export const ROTATED_SECRET = "test-secret-2";
export const AUDIENCE = "edgelog-test";
export const ADMIN = { authorization: "Bearer test-admin-token" };

type Patterns = Partial<Record<"produce" | "consume" | "groups" | "admin", string[]>>;

export interface TokenSpec {
  allow?: Patterns;
  deny?: Patterns;
  origins?: string[];
  sub?: string;
  aud?: string;
  secret?: string;
  /** Seconds from now; negative for an expired token. */
  ttl?: number;
  nbf?: number;
}

export async function token(spec: TokenSpec = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return Jwt.sign(
    {
      sub: spec.sub ?? "tester",
      aud: spec.aud ?? AUDIENCE,
      exp: now + (spec.ttl ?? 600),
      ...(spec.nbf !== undefined ? { nbf: spec.nbf } : {}),
      edgelog: { allow: spec.allow ?? {}, ...(spec.deny ? { deny: spec.deny } : {}), ...(spec.origins ? { origins: spec.origins } : {}) },
    },
    spec.secret ?? SECRET,
    "HS256",
  );
}

export const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/** An unsigned token (`alg: none`) claiming everything. */
export function unsignedToken(): string {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "x", aud: AUDIENCE, exp: now + 600, edgelog: { allow: { admin: ["*"], produce: ["*"], consume: ["*"], groups: ["*"] } } })}.`;
}

export function request(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Response> {
  return call(path, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return request(method, path, ADMIN, body);
}
