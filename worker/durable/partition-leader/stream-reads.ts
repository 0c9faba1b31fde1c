/**
 * @module
 * Reads of a Durable Stream on its leader: catch-up and long-poll pages,
 * HEAD, and the append at an offset (for sub-offset forks). A fork's leader
 * holds only what was appended to the fork; a read below that answers with
 * where to read first (`inherited`), and the worker stitches the pages.
 */

import { failure } from "../../../src/protocol/errors.ts";
import { MAX_FETCH_RECORDS } from "../../../src/protocol/limits.ts";
import { refuseStreamReadBounds } from "./batch-checks.ts";
import type { LogStore } from "./log-store.ts";
import { streamNotFound, type StreamFace } from "./stream-face.ts";
import type { StreamRow } from "./stream-meta.ts";
import type { BatchAtResult, StreamHeadResult, StreamReadRequest, StreamReadResult } from "./stream-rpc.ts";

interface ReadHost {
  readonly log: LogStore;
  /** Parks until the next append, close or delete, or `ms`. */
  wait(ms: number): Promise<boolean>;
}

export async function readStream(face: StreamFace, host: ReadHost, req: StreamReadRequest): Promise<StreamReadResult> {
  const refused = refuseStreamReadBounds(req);
  if (refused) return refused;
  const internal = req.internal === true;
  let row = current(face, internal);
  if ("ok" in row) return row;
  if (!internal) face.touch(row, Date.now());
  const log = host.log;
  const tail = log.state.highWatermark;
  const from = req.from === "start" ? row.start : req.from === "now" ? tail : req.from;
  if (from > tail) return failure("INVALID_REQUEST", `offset ${from} is past the stream's tail, ${tail}`);
  if (from < row.start) {
    return failure("OFFSET_GONE", `offset ${from} is before the start of this stream`);
  }
  const until = req.until ?? Number.MAX_SAFE_INTEGER;
  const empty = { ok: true as const, from, records: "", count: 0, next: from };
  if (from < row.base) {
    return { ...empty, info: face.info(row), inherited: { source: row.fork!.source, end: Math.min(row.base, until) } };
  }
  if (from >= until) return { ...empty, info: face.info(row) };
  if (from === tail && req.waitMs > 0 && !row.closed) {
    await host.wait(req.waitMs);
    row = current(face, internal);
    if ("ok" in row) return row;
  }
  const slice = log.read(from, Math.min(MAX_FETCH_RECORDS, until - from), req.maxBytes, "\n");
  return { ok: true, info: face.info(row), from, records: slice.records, count: slice.count, next: slice.nextOffset };
}

export function headStream(face: StreamFace): StreamHeadResult {
  const row = current(face, false);
  return "ok" in row ? row : { ok: true, info: face.info(row) };
}

/** The records of the append that holds `offset`, from `offset` to its end. */
export function batchAt(face: StreamFace, log: LogStore, offset: number): BatchAtResult {
  const row = current(face, true);
  if ("ok" in row) return row;
  if (offset < row.base) return { ok: true, inherited: { source: row.fork!.source, end: row.base } };
  if (offset >= log.state.highWatermark) return { ok: true, records: [] };
  const [batch] = log.batchesSince(offset, 1);
  if (!batch) return { ok: true, records: [] };
  // A stream's batches are never compacted: line i is offset base + i.
  return { ok: true, records: batch.records.split("\n").slice(offset - batch.base_offset) };
}

function current(face: StreamFace, internal: boolean): Readonly<StreamRow> | ReturnType<typeof failure> {
  const row = internal ? face.stored : face.live(Date.now());
  if (!row) return streamNotFound();
  if (row.deleted && !internal) return failure("STREAM_DELETED", "this stream was deleted; forks still read it");
  return row;
}
