/**
 * @module
 * Follows a log's live feed from a position (worker/live/leader-feed.ts:
 * the reader's own hibernatable link to the leader) until the feed ends
 * or the reader stops. The reader then reads the log again, which says why
 * it ended: more to catch up on, a close, a delete.
 */

import { followLeader } from "../live/leader-feed.ts";

type ListenEnd = "aborted" | "slow" | "ended";

interface ListenOptions {
  env: Env;
  feed: { topicId: string; partition: number };
  from: number;
  signal: AbortSignal;
  /** New records with the position after them; false when the reader is too far behind to take them. */
  push(lines: string[], next: number): boolean;
}

export async function listen(o: ListenOptions): Promise<{ end: ListenEnd; next: number }> {
  const { end, next } = await followLeader({ ...o, ...o.feed });
  return { end: end === "aborted" || end === "slow" ? end : "ended", next };
}
