/**
 * @module
 * Reads a stream request's body within the bus's request limit. A body
 * past the limit is refused with 413 only after it has been read (and
 * dropped, up to a cap): a server that answers while the client is still
 * sending leaves the client with a broken pipe instead of the 413.
 */

import { MAX_REQUEST_BYTES } from "../../src/protocol/limits.ts";
import { ApiError } from "../http-error.ts";

/** Past this many bytes the connection is not worth saving: the reader stops. */
const DRAIN_CAP = 32 * 1024 * 1024;

export async function readBody(req: Request, max = MAX_REQUEST_BYTES): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const length = Number(req.headers.get("content-length") ?? Number.NaN);
  // The usual case, a body that says its size and fits: the runtime reads it in one go.
  if (Number.isSafeInteger(length) && length <= max) return new Uint8Array(await req.arrayBuffer());
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= max) parts.push(value);
    else if (size > DRAIN_CAP) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  if (size > max) throw new ApiError("PAYLOAD_TOO_LARGE", `request bodies are limited to ${max} bytes`, { limit: max });
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
