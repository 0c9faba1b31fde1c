/**
 * @module
 * Follows a log's live feed from a position (worker/live/leader-feed.ts:
 * the reader's own hibernatable link to the leader) until the feed ends
 * or the reader stops. The reader then reads the log again, which says why
 * it ended: more to catch up on, a close, a delete.
 */

import { leaderFeed, type FeedListener } from "../live/leader-feed.ts";

type ListenEnd = "aborted" | "slow" | "ended";

interface ListenOptions {
  env: Env;
  feed: { topicId: string; partition: number };
  from: number;
  signal: AbortSignal;
  /** New records with the position after them; false when the reader is too far behind to take them. */
  push(lines: string[], next: number): boolean;
}

export function listen(o: ListenOptions): Promise<{ end: ListenEnd; next: number }> {
  const feed = leaderFeed(o.env, o.feed.topicId, o.feed.partition);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (end: ListenEnd) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener("abort", onAbort);
      feed.detach(listener);
      resolve({ end, next: listener.next });
    };
    const listener: FeedListener = {
      next: o.from,
      push(lines, next) {
        if (settled) return false;
        if (!o.push(lines, next)) {
          finish("slow");
          return false;
        }
        return true;
      },
      closed: () => finish("ended"),
    };
    const onAbort = () => finish("aborted");
    o.signal.addEventListener("abort", onAbort);
    if (o.signal.aborted) return finish("aborted");
    feed.attach(listener).then(
      (a) => a.attached || finish("ended"),
      () => finish("ended"),
    );
  });
}
