/**
 * @module
 * Stream positions as they travel in event ids and query strings.
 *
 * A one-partition SSE stream tags each record event with the record's
 * offset; resuming after id N starts at N + 1. A topic stream tags each event
 * with the position of every followed partition, `p:next,p:next`, so the
 * Last-Event-ID alone resumes all of them exactly.
 */

import { ApiError } from "../http-error.ts";

const OFFSET = /^(0|[1-9][0-9]{0,15})$/;
const VECTOR = /^(0|[1-9][0-9]{0,5}):(0|[1-9][0-9]{0,15})$/;

/** The offset after the record a one-partition Last-Event-ID names. */
export function resumeAfter(lastEventId: string): number {
  const id = lastEventId.trim();
  if (!OFFSET.test(id) || !Number.isSafeInteger(Number(id) + 1)) {
    throw new ApiError("INVALID_REQUEST", `Last-Event-ID must be a record offset, got '${lastEventId.slice(0, 40)}'`);
  }
  return Number(id) + 1;
}

/** Parses `p:offset,p:offset` (topic Last-Event-ID or the `offsets` query). */
export function parseVector(text: string, what: string): Map<number, number> {
  const positions = new Map<number, number>();
  for (const part of text.trim().split(",")) {
    if (!VECTOR.test(part)) throw new ApiError("INVALID_REQUEST", `${what} must look like 0:15,1:7, got '${text.slice(0, 60)}'`);
    const [p, o] = part.split(":").map(Number) as [number, number];
    if (!Number.isSafeInteger(o) || positions.has(p)) throw new ApiError("INVALID_REQUEST", `${what}: bad or repeated entry '${part}'`);
    positions.set(p, o);
  }
  return positions;
}

export function formatVector(positions: Map<number, number>): string {
  return [...positions].map(([p, o]) => `${p}:${o}`).join(",");
}
