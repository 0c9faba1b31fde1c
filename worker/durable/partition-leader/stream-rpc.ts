/**
 * @module
 * The RPC contract of a partition leader serving a Durable Stream
 * (worker/streams). Offsets here are edgelog's integer offsets; the worker
 * turns them into the protocol's opaque strings. Expected outcomes come back
 * as typed results, never thrown.
 */

import type { Failure } from "../../../src/protocol/errors.ts";
import type { ProducerTuple } from "./rpc.ts";

/** What a stream is created with; two creates with the same settings are one (PUT is idempotent). */
export interface StreamConfig {
  /** As the creator sent it, lowercased. */
  contentType: string;
  /** Sliding time-to-live: reads and writes extend it. */
  ttlSeconds: number | null;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number | null;
}

/** Where a fork branches off its source, as stored and compared. */
export interface ForkPoint {
  source: string;
  /** The fork offset; the offsets below it (and `subOffset` more) come from the source. */
  offset: number;
  subOffset: number;
}

/** What every answer about an existing stream carries (HEAD, and headers of the others). */
export interface StreamInfo extends StreamConfig {
  /** The tail: the offset the next append gets. */
  tail: number;
  closed: boolean;
}

export interface StreamCreateRequest {
  config: StreamConfig;
  closed: boolean;
  /**
   * A fork: the source resolved by the worker (offsets, inherited settings)
   * and where this stream's own log starts.
   */
  fork?: ForkPoint & { start: number; base: number };
  /** Initial records (a sub-offset fork's materialized prefix first), rendered as stored. */
  bodies: string[];
}

/**
 * A create that names a fork but was not yet resolved against its source:
 * the leader answers whether the stream exists (and matches) before the
 * worker takes a reference on the source.
 */
export interface StreamProbeRequest {
  /** null: inherit the source's. */
  contentType: string | null;
  /** Both null: inherit the source's. */
  ttlSeconds: number | null;
  expiresAt: number | null;
  closed: boolean;
  /** `offset` null or "start": as the fork was created, whatever offset that resolved to. */
  fork: { source: string; offset: number | "start" | null; subOffset: number };
}

export type StreamCreateResult = { ok: true; created: boolean; info: StreamInfo } | Failure;
export type StreamProbeResult = { ok: true; exists: false } | { ok: true; exists: true; info: StreamInfo } | Failure;

export interface StreamAppendRequest {
  /** The request's media type (lowercased essence); ignored by a close without data. */
  contentType: string | null;
  /** Rendered records; empty for a close without data. */
  bodies: string[];
  producer?: ProducerTuple;
  streamSeq?: string;
  close: boolean;
}

export type StreamAppendResult =
  | {
      ok: true;
      /** The tail after the append. */
      next: number;
      duplicate: boolean;
      closed: boolean;
      /** The producer's epoch and highest accepted seq (duplicates: the stored ones). */
      producer?: { epoch: number; seq: number };
    }
  | (Failure & { next?: number; closed?: boolean });

type StreamStart = number | "start" | "now";

export interface StreamReadRequest {
  from: StreamStart;
  maxBytes: number;
  /** Long-poll: how long to wait at the tail for an append or a close. */
  waitMs: number;
  /**
   * A fork reading what it inherited: no TTL touch, and deleted or expired
   * streams still answer (they are kept while a fork reads them).
   */
  internal?: boolean;
  /** Exclusive upper bound: a fork reads its source only up to its fork point. */
  until?: number;
}

export type StreamReadResult =
  | {
      ok: true;
      info: StreamInfo;
      /** The resolved start of this read. */
      from: number;
      /** Stored lines, one record per line. */
      records: string;
      count: number;
      next: number;
      /** `from` lies below this stream's own log: read `source` up to `end` first. */
      inherited?: { source: string; end: number };
    }
  | Failure;

export type StreamHeadResult = { ok: true; info: StreamInfo } | Failure;

export interface ForkAcquireRequest {
  /** null: the source's tail; "start": its first offset. */
  offset: number | "start" | null;
}

export type ForkAcquireResult = { ok: true; config: StreamConfig; offset: number; start: number; tail: number } | Failure;

/** The records of the append holding `offset`, from `offset` on (for a sub-offset fork). */
export type BatchAtResult =
  | { ok: true; records: string[] }
  | { ok: true; inherited: { source: string; end: number } }
  | Failure;

/** Answered to a subscription the stream refuses: it is closed, readers finish from the log. */
export const CLOSE_STREAM_CLOSED = 4011;

/**
 * A stream's leader is addressed as partition 0 of a topic whose id is
 * `stream:<name>` (worker/leaders.ts): no topic id has that form, and the
 * live feeds that follow partitions follow streams unchanged.
 */
export function streamTopicId(name: string): string {
  return `stream:${name}`;
}
