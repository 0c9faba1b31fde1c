/**
 * @module
 * CORS for /v1: origins from `EDGELOG_CORS_ORIGINS` (comma-separated, `*`
 * for any; `*` when unset), every request header the client and the Durable
 * Streams face send, and every response header they read. Origins only
 * decide which pages may call; tokens decide what a call may do.
 */

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { PRODUCER_EPOCH, PRODUCER_ID, PRODUCER_SEQ, REQUEST_ID, RETRY_AFTER } from "../../../src/protocol/headers.ts";

const ALLOW_HEADERS = [
  "Authorization",
  "Content-Type",
  "Last-Event-ID",
  PRODUCER_ID,
  PRODUCER_EPOCH,
  PRODUCER_SEQ,
  "Stream-Seq",
  "Stream-TTL",
  "Stream-Expires-At",
  "Stream-Closed",
  "Stream-Forked-From",
  "Stream-Fork-Offset",
  "Stream-Fork-Sub-Offset",
  "If-None-Match",
  REQUEST_ID,
];

const EXPOSE_HEADERS = [
  RETRY_AFTER,
  REQUEST_ID,
  "ETag",
  "Location",
  "Stream-Next-Offset",
  "Stream-Cursor",
  "Stream-Up-To-Date",
  "Stream-Closed",
  "Stream-TTL",
  "Stream-Expires-At",
  "Stream-SSE-Data-Encoding",
  PRODUCER_EPOCH,
  PRODUCER_SEQ,
  "Producer-Expected-Seq",
  "Producer-Received-Seq",
  "Content-Type",
];

interface CorsPolicy {
  /** Any origin may call ("*"). */
  any: boolean;
  allowed: string[];
  /** Hono's handler, for preflight requests. */
  preflight: MiddlewareHandler;
}

const EXPOSE = EXPOSE_HEADERS.join(",");
const policies = new Map<string, CorsPolicy>();

/** The policy for an `EDGELOG_CORS_ORIGINS` value, built once per isolate. */
function policyFor(setting: string): CorsPolicy {
  let policy = policies.get(setting);
  if (!policy) {
    const allowed = setting
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o.length > 0);
    const any = allowed.length === 0 || allowed.includes("*");
    const preflight = cors({
      origin: any ? "*" : (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ALLOW_HEADERS,
      exposeHeaders: EXPOSE_HEADERS,
      maxAge: 86_400,
    });
    policies.set(setting, (policy = { any, allowed, preflight }));
  }
  return policy;
}

/**
 * Preflights go to Hono's CORS handler. Other requests get the same headers
 * (allowed origin, exposed headers, `Vary: Origin` when origins are listed)
 * through `c.header()` before the route runs: Hono's handler sets them on
 * `c.res`, which makes an extra Response per request and copies the real
 * one into it — measurable on the hot path (npm run profile).
 */
export function corsForBus(): MiddlewareHandler<{ Bindings: Env }> {
  return async function corsForBus(c, next) {
    const policy = policyFor(c.env.EDGELOG_CORS_ORIGINS ?? "*");
    if (c.req.method === "OPTIONS") return policy.preflight(c, next);
    const origin = c.req.header("origin") ?? "";
    const allow = policy.any ? "*" : policy.allowed.includes(origin) ? origin : null;
    const mark = () => {
      if (allow) c.header("Access-Control-Allow-Origin", allow);
      c.header("Access-Control-Expose-Headers", EXPOSE);
      if (!policy.any) c.header("Vary", "Origin", { append: true });
    };
    mark();
    await next();
    // A route that returned a Response of its own (a live stream) left the
    // headers above behind; a WebSocket upgrade has no CORS.
    if (c.res.status !== 101 && !c.res.headers.has("access-control-expose-headers")) mark();
  };
}
