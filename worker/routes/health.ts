/**
 * @module
 * Liveness and version.
 */

import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import pkg from "../../package.json" with { type: "json" };
import { json } from "../schemas/responses.ts";

export const health = new OpenAPIHono<{ Bindings: Env }>();

health.openapi(
  createRoute({
    method: "get",
    path: "/v1/health",
    summary: "Liveness and version",
    responses: { 200: json(z.object({ status: z.literal("ok"), version: z.string() }), "the worker is up") },
  }),
  (c) => c.json({ status: "ok" as const, version: pkg.version }, 200),
);
