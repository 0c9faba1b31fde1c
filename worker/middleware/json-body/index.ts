/**
 * @module
 * Refuses a request body that is not JSON with 415, before any validator
 * reads it. (Hono's JSON validator quietly treats a non-JSON body as `{}`,
 * which for a topic PUT would mean "create with defaults".)
 */

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../http-error.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function jsonBody(): MiddlewareHandler {
  return async function jsonBody(c, next) {
    const hasBody = (c.req.header("content-length") ?? "0") !== "0" || c.req.header("transfer-encoding") !== undefined;
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
    if (hasBody && !JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `send the body as application/json, not '${mediaType || "none"}'`);
    }
    await next();
  };
}
