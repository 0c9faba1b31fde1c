/**
 * @module
 * The test page's harness as the tests see it: what each call takes and
 * returns (plain data: it crosses Playwright's evaluate boundary).
 */

import type { ClientOptions, ClientStats, StartPosition } from "../../../src/index.ts";

export interface RecordedEvent {
  type: string;
  count?: number;
  reason?: string;
  total?: number;
  code?: string;
  ids?: number[];
}

export interface ProduceRequest {
  topic: string;
  /** Values are `{ key, n, tab }` with key `${prefix}-k${n % keys}`. */
  prefix: string;
  count: number;
  keys: number;
  /** Records per send() call; every call is awaited before the next (default 10). */
  chunk?: number;
  /** Start numbering at (to continue a sequence). */
  from?: number;
  /** Random pause between chunks, ms. */
  jitterMs?: number;
  /** Characters of padding in each value, for big records. */
  pad?: number;
}

export interface ProduceResult {
  ids: number[];
  failures: { code: string; n: number }[];
}

export interface ConsumedEntry {
  /** Which page load processed it. */
  load: number;
  partition: number;
  offset: number;
  value: unknown;
}

export interface Outcome {
  ok: boolean;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
  records?: number;
}

export interface Harness {
  start(options: ClientOptions): void;
  produce(request: ProduceRequest): Promise<ProduceResult>;
  /** send() calls made without awaiting each (as an app reacting to events would), then awaited together. */
  produceBurst(request: ProduceRequest): Promise<ProduceResult>;
  flush(timeoutMs: number): Promise<Outcome>;
  stats(): Promise<ClientStats>;
  events(): RecordedEvent[];
  track(topic: string, name: string, properties: Record<string, string>): Promise<Outcome>;
  /**
   * Consumes in the background. "Processing" a record is writing it to
   * localStorage, so what was processed survives a reload exactly.
   */
  consume(options: {
    topic: string;
    id?: string;
    from: StartPosition;
    waitMs?: number;
    processMs?: number;
    /** Consume as a member of this consumer group (positions are the group's committed offsets). */
    group?: string;
    sessionTimeoutMs?: number;
  }): void;
  /** Every record processed in this tab, across reloads. */
  consumed(): ConsumedEntry[];
  /** Which page load this is (1, 2, ... per tab). */
  load(): number;
  stopConsuming(): Promise<void>;
  close(): Promise<void>;
}
