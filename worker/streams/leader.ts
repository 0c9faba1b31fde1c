/**
 * @module
 * How the face reaches a stream's leader and its live feed.
 */

import { streamTopicId } from "../durable/partition-leader/stream-rpc.ts";
import { leaderStub } from "../leaders.ts";

export function streamStub(env: Env, name: string): ReturnType<typeof leaderStub> {
  return leaderStub(env, streamTopicId(name), 0);
}

/** Which partition feed a live reader of this stream listens to (worker/live/leader-feed.ts). */
export function streamFeed(name: string): { topicId: string; partition: number } {
  return { topicId: streamTopicId(name), partition: 0 };
}
