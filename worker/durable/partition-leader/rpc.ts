/**
 * @module
 * The partition leader's RPC contract. Expected outcomes (fenced, gap, out of
 * range) come back as typed results, never thrown: RPC drops custom fields
 * from errors.
 */

import type { Failure } from "../../../src/protocol/errors.ts";
import type { LeaderConfig } from "./leader-config.ts";

export interface ProducerTuple {
  producerId: string;
  epoch: number;
  seq: number;
}

export interface AppendRequest {
  /** Each record rendered by the worker as JSON members without offset and timestamp. */
  bodies: string[];
  /** Per-record create time; null entries (or no array) take the leader's clock. */
  timestamps?: (number | null)[];
  producer?: ProducerTuple;
  /** The topic config as the worker's cache has it, so a leader that missed `configure` converges. */
  config?: LeaderConfig;
}

export type AppendResult =
  | { ok: true; baseOffset: number; count: number; duplicate: boolean }
  | Failure;

export type StartPosition = number | "earliest" | "latest" | { timestamp: number };

export interface ReadRequest {
  from: StartPosition;
  maxRecords: number;
  maxBytes: number;
  /** Long-poll: how long to wait for a record when none is there yet. */
  waitMs: number;
  /** Join records with "\n" (one per line, for live streams) instead of ",". */
  lines?: boolean;
}

export type PositionResult = { ok: true; offset: number; logStartOffset: number; highWatermark: number } | Failure;

export type ReadResult =
  | {
      ok: true;
      /** The records as comma-separated JSON objects, ready to sit inside `[...]` (or one per line). */
      records: string;
      count: number;
      nextOffset: number;
      highWatermark: number;
      logStartOffset: number;
    }
  | Failure;

export interface PartitionStats {
  logStartOffset: number;
  highWatermark: number;
  records: number;
  /** bytesInSqlite + bytesInR2. */
  bytes: number;
  bytesInSqlite: number;
  bytesInR2: number;
  segments: number;
}

/** DeleteRecords: delete every record below `before` ("latest": the high watermark). */
export type DeleteRecordsResult = { ok: true; logStartOffset: number } | Failure;
