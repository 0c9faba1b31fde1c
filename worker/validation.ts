/**
 * @module
 * The one hook every validated route shares: a failed check becomes an
 * ApiError whose code says what was wrong (a topic name, a config, or the
 * request in general) and whose details list each problem.
 */

import type { Hook, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ErrorCode } from "../src/protocol/errors.ts";
import { ApiError } from "./http-error.ts";

// `any`: the hook serves every route, whatever its input types.
export const validationHook: Hook<any, any, any, undefined> = (result, c) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  let code: ErrorCode = "INVALID_REQUEST";
  if (result.target === "param" && issues.some((i) => i.path === "topic")) code = "INVALID_TOPIC";
  else if (result.target === "json" && (c.req.method === "PUT" || c.req.method === "PATCH")) code = "INVALID_CONFIG";
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw new ApiError(code, `invalid ${result.target}: ${summary}`, { issues });
};

/**
 * Checks `input` against `schema` as a route's validator would, for the
 * routes that read their input themselves (the produce hot path): the
 * parsed value, or the same error the hook raises.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, target: "param" | "query" | "header" | "json", c: Context): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) validationHook({ success: false, error: result.error, data: input, target } as never, c as never);
  return result.data as z.output<S>;
}
