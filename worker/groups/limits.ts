/**
 * @module
 * Consumer group bounds and defaults (PROTOCOL.md, "Consumer groups").
 */

import type { GroupAssignor } from "../../src/protocol/types.ts";

export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
/** Low enough for tests that kill a member and wait for its expiry. */
export const MIN_SESSION_TIMEOUT_MS = 1_000;
export const MAX_SESSION_TIMEOUT_MS = 300_000;
export const DEFAULT_ASSIGNOR: GroupAssignor = "sticky";
export const MAX_TOPICS_PER_MEMBER = 100;
export const MAX_OFFSETS_PER_COMMIT = 10_000;
/** Kafka's `offset.metadata.max.bytes` default. */
export const MAX_OFFSET_METADATA_LENGTH = 4_096;
/** How often heartbeats may make the coordinator look for grown or deleted topics. */
export const METADATA_CHECK_MS = 2_000;

/** A member heartbeats three times per session, so one lost heartbeat never expires it. */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.floor(sessionTimeoutMs / 3);
}
