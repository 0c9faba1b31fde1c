/**
 * @module
 * Creating a fork: a new stream that starts as a copy of its source up to a
 * fork point and goes its own way after it. Nothing is copied: the fork's
 * leader holds only its own appends and reads below the fork point from the
 * source, which keeps its data while any fork still reads it (a reference
 * count on the source; a deleted source answers 410 until its last fork is
 * gone, then goes for good, and so on up a chain of forks).
 *
 * A sub-offset forks inside one append: JSON mode inherits the first N
 * messages of it, byte streams its first N bytes, which the fork stores as
 * its own first record. Forks inherit no producer state.
 */

import type { ForkAcquireResult, StreamCreateResult } from "../durable/partition-leader/stream-rpc.ts";
import { essence } from "../durable/partition-leader/stream-meta.ts";
import { ApiError } from "../http-error.ts";
import { bytesBody, modeOf, recordBodies, recordBytes } from "./content.ts";
import type { CreateHeaders } from "./create-headers.ts";
import { streamStub } from "./leader.ts";

type Fork = NonNullable<CreateHeaders["fork"]>;

/** The create's outcome, as for a plain create. */
export async function createFork(env: Env, name: string, h: CreateHeaders & { fork: Fork }, body: Uint8Array): Promise<StreamCreateResult> {
  const { fork } = h;
  if (fork.source === name) throw new ApiError("INVALID_REQUEST", "a stream cannot be forked onto itself");
  const stub = streamStub(env, name);
  // An existing fork is answered (200 or 409) without touching the source.
  const probe = await stub.streamProbe({ contentType: h.contentType, ttlSeconds: h.ttlSeconds, expiresAt: h.expiresAt, closed: h.closed, fork });
  if (!probe.ok) return probe;
  if (probe.exists) return { ok: true, created: false, info: probe.info };
  const source = streamStub(env, fork.source);
  const acquired = ok(await source.streamAcquireFork({ offset: fork.offset }));
  let created = false;
  try {
    const result = await createOnto(env, name, h, fork, acquired, body);
    created = result.ok && result.created;
    return result;
  } finally {
    // A refused (or raced) create must not keep the source alive.
    if (!created) await source.streamReleaseFork();
  }
}

async function createOnto(
  env: Env,
  name: string,
  h: CreateHeaders,
  fork: Fork,
  src: Extract<ForkAcquireResult, { ok: true }>,
  body: Uint8Array,
): Promise<StreamCreateResult> {
  const contentType = h.contentType ?? src.config.contentType;
  if (essence(contentType) !== essence(src.config.contentType)) {
    throw new ApiError("CONTENT_TYPE_MISMATCH", `the source stream's content type is ${src.config.contentType}, not ${contentType}`);
  }
  const own = h.ttlSeconds !== null || h.expiresAt !== null;
  const config = {
    contentType,
    ttlSeconds: own ? h.ttlSeconds : src.config.ttlSeconds,
    expiresAt: own ? h.expiresAt : src.config.expiresAt,
  };
  const mode = modeOf(contentType);
  let base = src.offset;
  const prefix: string[] = [];
  if (fork.subOffset > 0) {
    const append = await appendAt(env, fork.source, src.offset);
    if (append.length === 0) throw new ApiError("INVALID_REQUEST", "a sub-offset needs data at the fork offset");
    if (mode === "json") {
      if (fork.subOffset > append.length) throw new ApiError("INVALID_REQUEST", `the append at the fork offset holds ${append.length} messages`);
      base += fork.subOffset;
    } else {
      const bytes = recordBytes(append[0]!);
      if (fork.subOffset > bytes.length) throw new ApiError("INVALID_REQUEST", `the append at the fork offset holds ${bytes.length} bytes`);
      prefix.push(bytesBody(bytes.subarray(0, fork.subOffset)));
    }
  }
  return streamStub(env, name).streamCreate({
    config,
    closed: h.closed,
    fork: { source: fork.source, offset: src.offset, subOffset: fork.subOffset, start: src.start, base },
    bodies: [...prefix, ...recordBodies(mode, body, true)],
  });
}

/** The records of the append at `offset` in `name` (from `offset` on), wherever in its fork chain they are. */
async function appendAt(env: Env, name: string, offset: number): Promise<string[]> {
  const r = await streamStub(env, name).streamBatchAt(offset);
  if (!r.ok) throw ApiError.from(r);
  return "inherited" in r ? appendAt(env, r.inherited.source, offset) : r.records;
}

function ok(r: ForkAcquireResult): Extract<ForkAcquireResult, { ok: true }> {
  if (!r.ok) throw ApiError.from(r);
  return r;
}
