/**
 * @module
 * Stream names: everything after `/v1/stream/` in the URL, percent-decoded,
 * `/` allowed. A name is 1 to 1024 characters without control characters,
 * and its `/`-separated parts are neither empty nor `.` or `..`, so a name
 * reads the same in every URL that can carry it. Two first parts are the
 * face's own: `topics/` (edgelog topic partitions, read-only) and `__ds/`
 * (the protocol's reserved APIs).
 */

import { ApiError } from "../http-error.ts";

export const STREAM_PREFIX = "/v1/stream/";
const MAX_NAME_LENGTH = 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The stream a request path names, or an ApiError saying what is wrong with it. */
export function nameFromPath(pathname: string): string {
  if (!pathname.startsWith(STREAM_PREFIX)) throw new ApiError("NOT_FOUND", "not a stream URL");
  let name: string;
  try {
    name = decodeURIComponent(pathname.slice(STREAM_PREFIX.length));
  } catch {
    throw new ApiError("INVALID_REQUEST", "the stream name is not valid percent-encoding");
  }
  checkName(name);
  return name;
}

/**
 * The source of a fork, from `Stream-Forked-From`: a stream URL (absolute,
 * or a path under /v1/stream/) or a bare stream name.
 */
export function nameFromReference(ref: string): string {
  let path = ref.trim();
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw new ApiError("INVALID_REQUEST", "Stream-Forked-From is not a valid URL");
    }
  }
  return path.startsWith("/") ? nameFromPath(path) : (checkName(path), path);
}

function checkName(name: string): void {
  const bad = (why: string) => new ApiError("INVALID_REQUEST", `invalid stream name: ${why}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw bad(`1 to ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(name)) throw bad("control characters are not allowed");
  const parts = name.split("/");
  if (parts.some((part) => part === "" || part === "." || part === "..")) throw bad("its /-separated parts may not be empty, '.' or '..'");
  // However it is spelt (%5F%5Fds too): the reserved API's paths never name a stream.
  if (parts[0] === "__ds") throw bad("'__ds/' is reserved for the protocol's own APIs");
}
