/**
 * @module
 * Follows one partition for a live stream: catches up over RPC reads (each
 * page awaited by `deliver`, so a slow client slows the reads), then listens
 * to its own link to the partition's leader for new batches (`push`, which
 * refuses when its client is too far behind). Records reach the
 * stream in offset order, exactly once each.
 */

import { leaderStub } from "../leaders.ts";
import { followLeader } from "./leader-feed.ts";

export type FollowEnd =
  | { reason: "aborted" | "slow" | "gone"; next: number }
  | { reason: "out-of-range"; next: number; logStartOffset: number };

export interface FollowOptions {
  env: Env;
  topicId: string;
  partition: number;
  from: number;
  signal: AbortSignal;
  /** Catch-up: receives each record (a JSON object as text) with the offset to follow it. */
  deliver(records: string[], next: number): Promise<void>;
  /** Live: the same, without waiting; false when the client is too far behind. */
  push(records: string[], next: number): boolean;
}

const CATCH_UP_PAGE = 1_000;
const CATCH_UP_BYTES = 1024 * 1024;
/** Pause before linking again after a lost link, so a failing leader is not hammered. */
const RELINK_DELAY_MS = 200;

export async function followPartition(o: FollowOptions): Promise<FollowEnd> {
  const leader = leaderStub(o.env, o.topicId, o.partition);
  let next = o.from;
  while (!o.signal.aborted) {
    for (;;) {
      const page = await leader.read({ from: next, maxRecords: CATCH_UP_PAGE, maxBytes: CATCH_UP_BYTES, waitMs: 0, lines: true });
      if (!page.ok) return failureEnd(page.error, next);
      if (page.count === 0) break;
      await o.deliver(page.records.split("\n"), page.nextOffset);
      next = page.nextOffset;
      if (o.signal.aborted) return { reason: "aborted", next };
    }
    const live = await followLeader({ ...o, from: next });
    next = live.next;
    if (live.end === "lost") await new Promise((r) => setTimeout(r, RELINK_DELAY_MS));
    else if (live.end !== "refused") return { reason: live.end, next };
    // Refused or lost: the next read says why, or catches up; then link again.
  }
  return { reason: "aborted", next };
}

function failureEnd(error: { code: string; logStartOffset?: number }, next: number): FollowEnd {
  if (error.code === "OFFSET_OUT_OF_RANGE") return { reason: "out-of-range", next, logStartOffset: error.logStartOffset ?? 0 };
  return { reason: "gone", next };
}
