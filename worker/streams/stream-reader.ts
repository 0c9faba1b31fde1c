/**
 * @module
 * Reads a page of a stream. A fork's leader holds only what was appended to
 * the fork; below its fork point the page comes from the source (and its
 * sources, for a fork of a fork), read up to the fork point, then the page
 * goes on in the fork's own log, so one read can cross every boundary.
 */

import type { StreamReadResult } from "../durable/partition-leader/stream-rpc.ts";
import { ApiError } from "../http-error.ts";
import { streamStub } from "./leader.ts";
import { PAGE_BYTES, type Page, type PageReader } from "./page.ts";
import { modeOf } from "./content.ts";

export function streamReader(env: Env, name: string): PageReader {
  return (from, waitMs) => readStreamPage(env, name, from, waitMs);
}

async function readStreamPage(env: Env, name: string, from: number | "start" | "now", waitMs: number): Promise<Page> {
  const stub = streamStub(env, name);
  let top = ok(await stub.streamRead({ from, maxBytes: PAGE_BYTES, waitMs }));
  const start = top.from;
  const lines = top.count > 0 ? top.records.split("\n") : [];
  let next = top.next;
  if (top.inherited) {
    const budget = { bytes: PAGE_BYTES };
    next = await readInherited(env, top.inherited.source, start, top.inherited.end, lines, budget);
    if (next === top.inherited.end && budget.bytes > 0) {
      // Past the fork point: the page goes on in the fork's own log.
      top = ok(await stub.streamRead({ from: next, maxBytes: budget.bytes, waitMs: 0 }));
      if (top.count > 0) lines.push(...top.records.split("\n"));
      next = top.next;
    }
  }
  const { info } = top;
  return { contentType: info.contentType, rendering: modeOf(info.contentType), lines, from: start, next, tail: info.tail, closed: info.closed };
}

/** Reads `source` from `from` up to `end` into `out`, following its own sources; returns where it stopped. */
async function readInherited(env: Env, source: string, from: number, end: number, out: string[], budget: { bytes: number }): Promise<number> {
  let next = from;
  while (next < end && budget.bytes > 0) {
    const r = ok(await streamStub(env, source).streamRead({ from: next, maxBytes: budget.bytes, waitMs: 0, internal: true, until: end }));
    if (r.inherited) {
      const reached = await readInherited(env, r.inherited.source, next, r.inherited.end, out, budget);
      if (reached === next) break;
      next = reached;
      continue;
    }
    if (r.count === 0) break;
    for (const line of r.records.split("\n")) {
      out.push(line);
      budget.bytes -= line.length;
    }
    next = r.next;
  }
  return next;
}

function ok(result: StreamReadResult): Extract<StreamReadResult, { ok: true }> {
  if (!result.ok) throw ApiError.from(result);
  return result;
}
