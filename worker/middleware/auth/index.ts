/**
 * @module
 * The one place that decides who may do what: authenticates the bearer
 * token (or, on an open local bus, lets everyone in), then checks the grant
 * the route needs (worker/auth/requirements.ts). Routes know nothing of it.
 * A second pass, after the body limit, checks topics a group request names
 * in its body, which a member also needs `consume` on.
 */

import type { Context, MiddlewareHandler } from "hono";
import { permits, superuser, type Principal } from "../../auth/grants.ts";
import { requirementFor, type BodyTopics, type Grant, type Requirement } from "../../auth/requirements.ts";
import { authSettings, hasCredentials } from "../../auth/settings.ts";
import { authenticate } from "../../auth/verify.ts";
import { ApiError } from "../../http-error.ts";

declare module "hono" {
  interface ContextVariableMap {
    principal: Principal;
    requirement: Requirement;
  }
}

const NOT_CONFIGURED =
  "this bus requires tokens but has no way to check them: set EDGELOG_JWT_SECRETS " +
  "(`wrangler secret put EDGELOG_JWT_SECRETS`), EDGELOG_JWKS_URL or EDGELOG_ADMIN_TOKEN; " +
  "for a local trial run it with EDGELOG_AUTH=open";

export function authorize(): MiddlewareHandler<{ Bindings: Env }> {
  return async function authorize(c, next) {
    const requirement = requirementFor(c.req.method, c.req.path);
    c.set("requirement", requirement);
    if (requirement.kind !== "grant") return next();
    const settings = authSettings(c.env);
    if (settings.mode === "open") {
      c.set("principal", superuser("anonymous"));
      return next();
    }
    if (!hasCredentials(settings)) throw new ApiError("UNAUTHORIZED", NOT_CONFIGURED);
    const result = await authenticate(c.req.header("authorization"), settings);
    if (!result.ok) throw new ApiError(result.code, result.message);
    const principal = result.principal;
    checkOrigin(c, principal);
    if (!requirement.anyOf.some((g) => permits(principal, g.action, g.name))) throw forbidden(requirement.anyOf);
    c.set("principal", principal);
    return next();
  };
}

/** Topics named in the body of join, commit and reset: the member also needs `consume` on each. */
export function authorizeBodyTopics(): MiddlewareHandler<{ Bindings: Env }> {
  return async function authorizeBodyTopics(c, next) {
    const requirement = c.get("requirement");
    const principal = c.get("principal");
    if (requirement?.kind !== "grant" || requirement.bodyTopics === undefined || principal === undefined) return next();
    let body: unknown;
    try {
      // Cached by Hono: the route's validator reads the same text.
      body = JSON.parse(await c.req.text());
    } catch {
      return next(); // the route's validator answers malformed bodies
    }
    for (const topic of bodyTopics(requirement.bodyTopics, body)) {
      if (!permits(principal, "consume", topic)) throw forbidden([{ action: "consume", resource: "topic", name: topic }]);
    }
    return next();
  };
}

function bodyTopics(kind: BodyTopics, body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const b = body as Record<string, unknown>;
  const strings = (xs: unknown[]) => xs.filter((x): x is string => typeof x === "string");
  if (kind === "join") return Array.isArray(b.topics) ? strings(b.topics) : [];
  if (kind === "reset") return typeof b.topic === "string" ? [b.topic] : [];
  return Array.isArray(b.offsets) ? strings(b.offsets.map((o) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>).topic : undefined))) : [];
}

/** A browser key bound to origins works only from those (a missing Origin included). */
function checkOrigin(c: Context, principal: Principal): void {
  if (principal.origins === undefined) return;
  const origin = c.req.header("origin");
  if (origin === undefined || !principal.origins.includes(origin)) {
    throw new ApiError("FORBIDDEN", `this key may not be used from origin '${origin ?? "none"}'`);
  }
}

function forbidden(anyOf: readonly Grant[]): ApiError {
  const what = (g: Grant) => (g.name === undefined ? "all topics and groups" : `${g.resource} '${g.name}'`);
  const needs = anyOf.map((g) => `'${g.action}' on ${what(g)}`).join(" or ");
  return new ApiError("FORBIDDEN", `this token lacks the grant ${needs}`);
}
