/**
 * @module
 * Names, defaults and bounds shared by the worker's validation and the
 * client's own checks, so both refuse the same things.
 */

/** Kafka's topic name rule: 1–249 characters of `[a-zA-Z0-9._-]`. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;
/** "." and ".." are path segments, never topic names. */
export const RESERVED_TOPIC_NAMES: readonly string[] = [".", ".."];

export const MAX_PARTITIONS = 1024;
/** A produce request body; also the most payload one stored batch may hold. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_RECORDS_PER_REQUEST = 10_000;
export const MAX_HEADERS_PER_RECORD = 64;
export const MAX_PRODUCER_ID_LENGTH = 128;

export const DEFAULT_MAX_RECORDS = 500;
export const MAX_FETCH_RECORDS = 10_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const MAX_FETCH_BYTES = 8 * 1024 * 1024;
export const MAX_WAIT_MS = 30_000;

export const DAY_MS = 86_400_000;

/** The full configuration of a topic; `-1` means unlimited. */
export interface TopicConfig {
  partitions: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: "delete" | "compact";
  maxMessageBytes: number;
  /** Compacted topics: how long a tombstone (null value) stays readable after its segment closed. */
  deleteRetentionMs: number;
}

export const DEFAULT_TOPIC_CONFIG: TopicConfig = {
  partitions: 1,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  cleanupPolicy: "delete",
  maxMessageBytes: MAX_REQUEST_BYTES,
  deleteRetentionMs: DAY_MS,
};

export function isValidTopicName(name: string): boolean {
  return TOPIC_NAME_PATTERN.test(name) && !RESERVED_TOPIC_NAMES.includes(name);
}
