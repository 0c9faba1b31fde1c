/**
 * @module
 * What a leader checks and renders on its own, whoever called it: the
 * bounds of a batch and of a read (the worker checks them too, but a
 * Durable Object must not trust its callers to keep SQLite's row limits
 * or a long-poll's length), and a batch turned into its stored lines.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import {
  MAX_FETCH_BYTES,
  MAX_FETCH_RECORDS,
  MAX_RECORDS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  MAX_WAIT_MS,
} from "../../../src/protocol/limits.ts";
import type { ReadRequest } from "./rpc.ts";

/** Room for the offset and timestamp members the leader adds to each record. */
const MAX_STORED_BATCH_BYTES = MAX_REQUEST_BYTES + MAX_RECORDS_PER_REQUEST * 48;
/** Scratch space to measure a batch's UTF-8 size: encodeInto is ~50× faster than counting by hand. */
const scratch = new Uint8Array(MAX_STORED_BATCH_BYTES + 4);
const encoder = new TextEncoder();

export interface StoredBatch {
  /** One stored line per record, `\n` between them. */
  lines: string;
  /** The lines' UTF-8 size. */
  bytes: number;
  maxTimestamp: number;
}

export function refuseBatchSize(count: number): Failure | null {
  if (count > 0 && count <= MAX_RECORDS_PER_REQUEST) return null;
  return failure("INVALID_REQUEST", `a batch holds 1 to ${MAX_RECORDS_PER_REQUEST} records, got ${count}`);
}

/**
 * The records as stored: `{"offset":N,"timestamp":T,<body>}` from `base` on;
 * a missing timestamp takes `now`. Refused when the batch would make a row
 * too large for SQLite.
 */
export function renderBatch(bodies: readonly string[], timestamps: readonly (number | null)[] | undefined, base: number, now: number): StoredBatch | Failure {
  let lines = "";
  let maxTimestamp = 0;
  for (let i = 0; i < bodies.length; i++) {
    const timestamp = timestamps?.[i] ?? now;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    lines += `${i === 0 ? "" : "\n"}{"offset":${base + i},"timestamp":${timestamp},${bodies[i]}}`;
  }
  const { read, written: bytes } = encoder.encodeInto(lines, scratch);
  if (read < lines.length || bytes > MAX_STORED_BATCH_BYTES) {
    return failure("PAYLOAD_TOO_LARGE", `a batch may store at most ${MAX_STORED_BATCH_BYTES} bytes`, { limit: MAX_STORED_BATCH_BYTES });
  }
  return { lines, bytes, maxTimestamp };
}

/** A read holds no more than a fetch may and parks no longer than a long-poll may. */
export function refuseReadBounds({ maxRecords, maxBytes, waitMs }: ReadRequest): Failure | null {
  const within = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max;
  if (within(maxRecords, 1, MAX_FETCH_RECORDS) && within(maxBytes, 1, MAX_FETCH_BYTES) && within(waitMs, 0, MAX_WAIT_MS)) return null;
  return failure(
    "INVALID_REQUEST",
    `a read takes maxRecords 1 to ${MAX_FETCH_RECORDS}, maxBytes 1 to ${MAX_FETCH_BYTES} and waitMs 0 to ${MAX_WAIT_MS}`,
  );
}
