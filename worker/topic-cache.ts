/**
 * @module
 * Topic metadata cached in the isolate for a few seconds, so produce and
 * fetch do not call the one global catalog object on every request.
 * Concurrent misses for one topic share a single catalog call.
 */

import type { TopicSummary } from "../src/protocol/types.ts";
import { catalogStub } from "./leaders.ts";

const TTL_MS = 5_000;

const entries = new Map<string, { expires: number; topic: Promise<TopicSummary | null> }>();

/** The topic's metadata, from the cache when fresh; null when it does not exist. */
export function lookupTopic(env: Env, name: string): Promise<TopicSummary | null> {
  const now = Date.now();
  const hit = entries.get(name);
  if (hit && hit.expires > now) return hit.topic;
  const topic = catalogStub(env).get(name);
  // Only existing topics are cached: a topic created in another isolate must
  // be usable at once, not after a stale "missing" expires.
  entries.set(name, { expires: now + TTL_MS, topic });
  topic.then(
    (t) => t === null && entries.get(name)?.topic === topic && entries.delete(name),
    () => entries.get(name)?.topic === topic && entries.delete(name),
  );
  return topic;
}

/** Records what this isolate just learned from the catalog. */
export function rememberTopic(topic: TopicSummary): void {
  entries.set(topic.name, { expires: Date.now() + TTL_MS, topic: Promise.resolve(topic) });
}

export function forgetTopic(name: string): void {
  entries.delete(name);
}
