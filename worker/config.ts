/**
 * @module
 * Settings read from the worker's vars (wrangler.toml `[vars]`, `--var` in
 * tests), each with a safe default when missing or malformed.
 */

export interface StreamSettings {
  heartbeatMs: number;
  maxStreamMs: number;
  subscriberBufferBytes: number;
  /** Live streams one isolate serves per partition (worker/live/slots.ts says why per isolate). */
  maxSubscribersPerPartition: number;
}

export function streamSettings(env: Env): StreamSettings {
  return {
    heartbeatMs: positive(env.EDGELOG_STREAM_HEARTBEAT_MS, 15_000),
    maxStreamMs: positive(env.EDGELOG_STREAM_MAX_MS, 300_000),
    subscriberBufferBytes: positive(env.EDGELOG_SUBSCRIBER_BUFFER_BYTES, 4 * 1024 * 1024),
    maxSubscribersPerPartition: positive(env.EDGELOG_MAX_SUBSCRIBERS_PER_PARTITION, 1_000),
  };
}

/** How many topics and consumer groups the bus may hold: each costs a catalog row and Durable Objects. */
export interface CountLimits {
  maxTopics: number;
  maxGroups: number;
}

export function countLimits(env: Env): CountLimits {
  return {
    maxTopics: positive(env.EDGELOG_MAX_TOPICS, 10_000),
    maxGroups: positive(env.EDGELOG_MAX_GROUPS, 10_000),
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
