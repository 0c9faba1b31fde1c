/**
 * @module
 * Tells the subscription registry about appends, only for streams some
 * subscription follows. Which ones do is cached in the isolate for a few
 * seconds (like topic metadata, worker/topic-cache.ts), so an append to a
 * stream nobody follows costs no call to the one registry object; a
 * subscription change made through this isolate refreshes its copy at once
 * (another isolate sees it within the cache's lifetime).
 */

import { globMatch } from "./glob.ts";
import type { IndexEntry, StreamSubscriptions } from "./registry.ts";

const TTL_MS = 5_000;

let cached: { expires: number; index: Promise<IndexEntry[]> } | null = null;

export function registryStub(env: Env): DurableObjectStub<StreamSubscriptions> {
  return env.STREAM_SUBSCRIPTIONS.getByName("subscriptions");
}

/** After a subscription changed here: the next append reads who follows what afresh. */
export function forgetSubscriptions(): void {
  cached = null;
}

/** Called once an append is durable; its answer waits for this, so a consumer is never woken late. */
export async function notifyAppend(env: Env, stream: string, tail: number): Promise<void> {
  try {
    const now = Date.now();
    if (!cached || cached.expires <= now) cached = { expires: now + TTL_MS, index: registryStub(env).index() };
    const index = await cached.index;
    if (!index.some((e) => e.streams.includes(stream) || (e.pattern !== null && globMatch(e.pattern, stream)))) return;
    await registryStub(env).appended(stream, tail);
  } catch (err) {
    // The append itself stands; a consumer is woken by the next one.
    cached = null;
    console.error("notifying subscriptions failed", err);
  }
}
