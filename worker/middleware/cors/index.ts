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
  PRODUCER_EPOCH,
  PRODUCER_SEQ,
  "Producer-Expected-Seq",
  "Producer-Received-Seq",
];

export function corsForBus(): MiddlewareHandler<{ Bindings: Env }> {
  return async function corsForBus(c, next) {
    const allowed = (c.env.EDGELOG_CORS_ORIGINS ?? "*")
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o.length > 0);
    const any = allowed.length === 0 || allowed.includes("*");
    const handler = cors({
      origin: any ? "*" : (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ALLOW_HEADERS,
      exposeHeaders: EXPOSE_HEADERS,
      maxAge: 86_400,
    });
    return handler(c, next);
  };
}
