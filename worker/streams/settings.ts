/**
 * @module
 * The face's own setting: how long a long-poll read waits at the tail
 * (`EDGELOG_STREAM_LONG_POLL_MS`, 20 s by default: below the idle limits of
 * common proxies, long enough that idle readers cost little).
 */

import { MAX_WAIT_MS } from "../../src/protocol/limits.ts";

export function longPollMs(env: Env): number {
  const n = Number(env.EDGELOG_STREAM_LONG_POLL_MS);
  return Number.isSafeInteger(n) && n > 0 ? Math.min(n, MAX_WAIT_MS) : 20_000;
}
