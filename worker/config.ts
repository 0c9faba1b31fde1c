/**
 * @module
 * Settings read from the worker's vars (wrangler.toml `[vars]`, `--var` in
 * tests), each with a safe default when missing or malformed.
 */

export interface StreamSettings {
  heartbeatMs: number;
  maxStreamMs: number;
  subscriberBufferBytes: number;
}

export function streamSettings(env: Env): StreamSettings {
  return {
    heartbeatMs: positive(env.EDGELOG_STREAM_HEARTBEAT_MS, 15_000),
    maxStreamMs: positive(env.EDGELOG_STREAM_MAX_MS, 300_000),
    subscriberBufferBytes: positive(env.EDGELOG_SUBSCRIBER_BUFFER_BYTES, 4 * 1024 * 1024),
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
