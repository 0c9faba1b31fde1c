/**
 * @module
 * The one hook every validated route shares: a failed check becomes an
 * ApiError whose code says what was wrong (a topic name, a config, or the
 * request in general) and whose details list each problem.
 */

import type { Hook } from "@hono/zod-openapi";
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
