/**
 * @module
 * Follows one partition for a live stream: catches up over RPC reads (each
 * page awaited by `deliver`, so a slow client slows the reads), then listens
 * to its own link to the partition's leader for new batches (`push`, which
 * refuses when its client is too far behind). Records reach the
 * stream in offset order, exactly once each.
 */

import { leaderStub } from "../leaders.ts";
import { leaderFeed, type FeedListener } from "./leader-feed.ts";

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
/** Pause before attaching again after a lost link, so a failing leader is not hammered. */
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
    const live = await listen(o, next);
    next = live.next;
    if (live.reason === "lost") await new Promise((r) => setTimeout(r, RELINK_DELAY_MS));
    else if (live.reason !== "behind") return live as FollowEnd;
    // behind or lost: read what the feed already passed, then attach again.
  }
  return { reason: "aborted", next };
}

function failureEnd(error: { code: string; logStartOffset?: number }, next: number): FollowEnd {
  if (error.code === "OFFSET_OUT_OF_RANGE") return { reason: "out-of-range", next, logStartOffset: error.logStartOffset ?? 0 };
  return { reason: "gone", next };
}

/** Listens to a leader link from `from` until the stream or the link ends. */
function listen(o: FollowOptions, from: number): Promise<{ reason: "aborted" | "slow" | "gone" | "lost" | "behind"; next: number }> {
  const feed = leaderFeed(o.env, o.topicId, o.partition);
  return new Promise((resolve) => {
    let settled = false;
    const end = (reason: "aborted" | "slow" | "gone" | "lost" | "behind") => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener("abort", onAbort);
      feed.detach(listener);
      resolve({ reason, next: listener.next });
    };
    const listener: FeedListener = {
      next: from,
      push(records, next) {
        if (settled) return false;
        if (!o.push(records, next)) {
          end("slow");
          return false;
        }
        return true;
      },
      closed: (why) => end(why),
    };
    const onAbort = () => end("aborted");
    o.signal.addEventListener("abort", onAbort);
    if (o.signal.aborted) return end("aborted");
    feed.attach(listener).then(
      (a) => a.attached || end("behind"),
      () => end("lost"),
    );
  });
}
