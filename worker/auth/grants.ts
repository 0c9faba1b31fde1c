/**
 * @module
 * Kafka's ACL model over names: a principal holds allow and deny patterns per
 * action; deny wins, and nothing granted means nothing allowed. A pattern is
 * a name, `*` (every name) or a prefix ending in `*` (`orders.*` matches
 * names starting with `orders.`, `orders*` names starting with `orders`).
 */

import { z } from "@hono/zod-openapi";

export const ACTIONS = ["produce", "consume", "groups", "admin"] as const;
export type Action = (typeof ACTIONS)[number];

export type Patterns = Record<Action, readonly string[]>;

/** What an authenticated caller may do. */
export interface Principal {
  /** Who, for rate limits and messages: the token's `sub`, `admin`, or `anonymous`. */
  id: string;
  allow: Patterns;
  deny: Patterns;
  /** A browser key's allowed `Origin`s; undefined means any. */
  origins?: readonly string[];
}

const PatternList = z.array(z.string().min(1).max(256)).max(256);
const PatternsClaim = z
  .object({ produce: PatternList, consume: PatternList, groups: PatternList, admin: PatternList })
  .partial()
  .strict();

/** The `edgelog` claim of a token (PROTOCOL.md, "Authentication and authorization"). */
export const EdgelogClaim = z
  .object({
    allow: PatternsClaim.optional(),
    deny: PatternsClaim.optional(),
    origins: z.array(z.string().min(1).max(512)).max(64).optional(),
  })
  .strict();
export type EdgelogClaim = z.infer<typeof EdgelogClaim>;

const NONE: Patterns = { produce: [], consume: [], groups: [], admin: [] };
const ALL: Patterns = { produce: ["*"], consume: ["*"], groups: ["*"], admin: ["*"] };

/** Everything allowed: the operator token, and every caller of an open (local) bus. */
export function superuser(id: string): Principal {
  return { id, allow: ALL, deny: NONE };
}

export function principalFromClaim(id: string, claim: EdgelogClaim): Principal {
  return {
    id,
    allow: { ...NONE, ...claim.allow },
    deny: { ...NONE, ...claim.deny },
    ...(claim.origins ? { origins: claim.origins } : {}),
  };
}

export function matches(pattern: string, name: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/**
 * May `principal` do `action` on `name`? `name` undefined means the whole
 * cluster (list all topics, benchmarks): only an unrestricted `*` grants it.
 */
export function permits(principal: Principal, action: Action, name: string | undefined): boolean {
  if (name === undefined) {
    // Any deny of this action also covers "all names".
    return principal.deny[action].length === 0 && principal.allow[action].includes("*");
  }
  const hit = (patterns: readonly string[]) => patterns.some((p) => matches(p, name));
  return !hit(principal.deny[action]) && hit(principal.allow[action]);
}
