/**
 * @module
 * One error type for HTTP and one place that turns anything thrown into the
 * `{ error: { code, message, retriable } }` shape with its status.
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ERRORS, failure, type ErrorBody, type ErrorCode, type ErrorDetails, type Failure } from "../src/protocol/errors.ts";
import { RETRY_AFTER } from "../src/protocol/headers.ts";

export class ApiError extends Error {
  readonly failure: Failure;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "ApiError";
    this.failure = failure(code, message, details);
  }

  static from(result: Failure): ApiError {
    const { code, message, retriable: _, ...details } = result.error;
    return new ApiError(code, message, details);
  }
}

export function errorResponse(c: Context, result: Failure): Response {
  const body: ErrorBody = { error: result.error };
  const status = ERRORS[result.error.code].status as ContentfulStatusCode;
  if (result.error.retryAfter !== undefined) c.header(RETRY_AFTER, String(result.error.retryAfter));
  return c.json(body, status);
}

/** Statuses Hono itself raises (bad JSON, body limit) mapped to our codes. */
const HTTP_CODES: Record<number, ErrorCode> = {
  400: "INVALID_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return errorResponse(c, err.failure);
  if (err instanceof HTTPException) {
    const code = HTTP_CODES[err.status] ?? (err.status < 500 ? "INVALID_REQUEST" : "INTERNAL_ERROR");
    return errorResponse(c, failure(code, err.message || "request refused"));
  }
  console.error("unhandled error", err);
  return errorResponse(c, failure("INTERNAL_ERROR", "internal error; the request may be retried"));
}
