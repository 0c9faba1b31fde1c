/**
 * @module
 * Bounds what a request's headers may make the worker hold and parse: how
 * many there are and their total size. Platforms have their own (larger,
 * differing) limits; this one is the same everywhere.
 */

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../http-error.ts";

export const MAX_HEADER_COUNT = 100;
export const MAX_HEADER_BYTES = 32 * 1024;

export function headerLimits(): MiddlewareHandler {
  return async function headerLimits(c, next) {
    let count = 0;
    let bytes = 0;
    for (const [name, value] of c.req.raw.headers) {
      count++;
      bytes += name.length + value.length + 4;
    }
    if (count > MAX_HEADER_COUNT) {
      throw new ApiError("INVALID_REQUEST", `at most ${MAX_HEADER_COUNT} request headers`, { limit: MAX_HEADER_COUNT });
    }
    if (bytes > MAX_HEADER_BYTES) {
      throw new ApiError("INVALID_REQUEST", `request headers are limited to ${MAX_HEADER_BYTES} bytes in all`, { limit: MAX_HEADER_BYTES });
    }
    await next();
  };
}
