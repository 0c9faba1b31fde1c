/**
 * @module
 * The headers of a create (PUT), checked strictly as the protocol asks:
 * `Stream-TTL` is a plain decimal (no sign, leading zero, point or
 * exponent), `Stream-Expires-At` an RFC 3339 time, never both; the fork
 * headers only with `Stream-Forked-From`.
 */

import { ApiError } from "../http-error.ts";
import { canonicalContentType } from "./content.ts";
import { STREAM_CLOSED, STREAM_EXPIRES_AT, STREAM_FORK_OFFSET, STREAM_FORK_SUB_OFFSET, STREAM_FORKED_FROM, STREAM_TTL } from "./headers.ts";
import { nameFromReference } from "./names.ts";
import { parseOffset } from "./offsets.ts";
import { isTrue } from "./append.ts";

/** About 100 years: any longer is a mistake, and stays a safe integer in ms. */
const MAX_TTL_SECONDS = 100 * 365 * 86_400;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export interface CreateHeaders {
  /** null: none sent (the default, or a fork's source's). */
  contentType: string | null;
  ttlSeconds: number | null;
  expiresAt: number | null;
  closed: boolean;
  /** `offset` null: the source's tail (the default). */
  fork: { source: string; offset: number | "start" | null; subOffset: number } | null;
}

export function createHeaders(header: (name: string) => string | undefined): CreateHeaders {
  const rawType = header("content-type");
  const contentType = rawType === undefined ? null : canonicalContentType(rawType);
  if (rawType !== undefined && contentType === null) throw new ApiError("INVALID_REQUEST", `'${rawType.slice(0, 100)}' is not a media type`);
  const ttl = header(STREAM_TTL);
  const expires = header(STREAM_EXPIRES_AT);
  if (ttl !== undefined && expires !== undefined) throw new ApiError("INVALID_REQUEST", "give Stream-TTL or Stream-Expires-At, not both");
  let ttlSeconds: number | null = null;
  if (ttl !== undefined) {
    if (!DECIMAL.test(ttl) || Number(ttl) > MAX_TTL_SECONDS) {
      throw new ApiError("INVALID_REQUEST", `Stream-TTL is a whole number of seconds up to ${MAX_TTL_SECONDS}, written plainly`);
    }
    ttlSeconds = Number(ttl);
  }
  let expiresAt: number | null = null;
  if (expires !== undefined) {
    expiresAt = RFC3339.test(expires) ? Date.parse(expires) : Number.NaN;
    if (!Number.isFinite(expiresAt)) throw new ApiError("INVALID_REQUEST", "Stream-Expires-At is an RFC 3339 time, e.g. 2030-01-01T00:00:00Z");
  }
  return { contentType, ttlSeconds, expiresAt, closed: isTrue(header(STREAM_CLOSED)), fork: forkHeaders(header) };
}

function forkHeaders(header: (name: string) => string | undefined): CreateHeaders["fork"] {
  const from = header(STREAM_FORKED_FROM);
  const offset = header(STREAM_FORK_OFFSET);
  const sub = header(STREAM_FORK_SUB_OFFSET);
  if (from === undefined) {
    if (offset !== undefined || sub !== undefined) throw new ApiError("INVALID_REQUEST", "the fork headers need Stream-Forked-From");
    return null;
  }
  let forkOffset: number | "start" | null = null;
  if (offset !== undefined) {
    const parsed = parseOffset(offset);
    if (parsed === null || parsed === "now") throw new ApiError("INVALID_REQUEST", "Stream-Fork-Offset must be an offset this server returned, or -1");
    if (parsed === "beyond") throw new ApiError("INVALID_REQUEST", "Stream-Fork-Offset is past the end of the source stream");
    forkOffset = parsed;
  }
  if (sub !== undefined && !DECIMAL.test(sub)) throw new ApiError("INVALID_REQUEST", "Stream-Fork-Sub-Offset is a whole number, written plainly");
  return { source: nameFromReference(from), offset: forkOffset, subOffset: sub === undefined ? 0 : Number(sub) };
}
