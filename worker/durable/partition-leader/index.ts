/**
 * @module
 * PartitionLeader: the Durable Object that leads one topic partition. It
 * assigns offsets, applies the idempotent producer rules, stores each produce
 * request as one batch row and parks long-poll reads until data arrives.
 * Every method answers after its writes are durable: the output gate holds
 * the RPC reply until SQLite has committed.
 */

import { DurableObject } from "cloudflare:workers";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from "../../../src/protocol/limits.ts";
import { streamSettings } from "../../config.ts";
import { migrate } from "../migrations.ts";
import { LEADER_MIGRATIONS } from "./schema.ts";
import { LogStore } from "./log-store.ts";
import { decideSequence } from "./producer-state.ts";
import { CLOSE_GONE, Subscribers } from "./subscribers.ts";
import { Waiters } from "./waiters.ts";
import type { AppendRequest, AppendResult, PartitionStats, PositionResult, ReadRequest, ReadResult, StartPosition } from "./rpc.ts";

/** Room for the offset and timestamp members the leader adds to each record. */
const MAX_STORED_BATCH_BYTES = MAX_REQUEST_BYTES + MAX_RECORDS_PER_REQUEST * 48;
/** Scratch space to measure a batch's UTF-8 size: encodeInto is ~50× faster than counting by hand. */
const scratch = new Uint8Array(MAX_STORED_BATCH_BYTES + 4);
const encoder = new TextEncoder();

export class PartitionLeader extends DurableObject<Env> {
  readonly #log: LogStore;
  readonly #waiters = new Waiters();
  readonly #subscribers: Subscribers;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, LEADER_MIGRATIONS);
    this.#log = new LogStore(ctx.storage);
    this.#subscribers = new Subscribers(ctx, this.#log, streamSettings(env).subscriberBufferBytes);
  }

  /**
   * The one HTTP entry: a live subscription (`GET /subscribe?from=N` with
   * `Upgrade: websocket`). WebSockets cannot travel over RPC, so this is
   * the only thing fetch() does.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/subscribe" || request.headers.get("upgrade") !== "websocket") {
      return Response.json(failure("NOT_FOUND", "the leader only accepts subscriptions"), { status: 404 });
    }
    const from = Number(url.searchParams.get("from") ?? "x");
    if (!Number.isSafeInteger(from)) return Response.json(failure("INVALID_REQUEST", "from must be an offset"), { status: 400 });
    const position = this.#resolve(from);
    if (typeof position !== "number") return Response.json(position, { status: 416 });
    return this.#subscribers.accept(position);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.#subscribers.onMessage(ws, message);
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  append(request: AppendRequest): AppendResult {
    const gone = this.#refuseIfDropped();
    if (gone) return gone;
    const { bodies, timestamps, producer } = request;
    if (bodies.length === 0 || bodies.length > MAX_RECORDS_PER_REQUEST) {
      return failure("INVALID_REQUEST", `a batch holds 1 to ${MAX_RECORDS_PER_REQUEST} records, got ${bodies.length}`);
    }
    if (producer) {
      const decision = decideSequence(this.#log.producer(producer.producerId), producer);
      if ("ok" in decision) return decision;
      if (decision.kind === "duplicate") {
        const original = this.#log.findProducerBatch(producer);
        return { ok: true, baseOffset: original?.baseOffset ?? -1, count: original?.count ?? 0, duplicate: true };
      }
    }
    const now = Date.now();
    const base = this.#log.state.highWatermark;
    let lines = "";
    let maxTimestamp = 0;
    for (let i = 0; i < bodies.length; i++) {
      const timestamp = timestamps?.[i] ?? now;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      lines += `${i === 0 ? "" : "\n"}{"offset":${base + i},"timestamp":${timestamp},${bodies[i]}}`;
    }
    // Checked again here, not only by the worker: a row must stay far below
    // SQLite's 2 MB limit whoever calls.
    const { read, written: bytes } = encoder.encodeInto(lines, scratch);
    if (read < lines.length || bytes > MAX_STORED_BATCH_BYTES) {
      return failure("PAYLOAD_TOO_LARGE", `a batch may store at most ${MAX_STORED_BATCH_BYTES} bytes`, {
        limit: MAX_STORED_BATCH_BYTES,
      });
    }
    this.#log.append({ lines, count: bodies.length, bytes, maxTimestamp, producer }, now);
    this.#waiters.wakeAll();
    this.#subscribers.publish(base, lines);
    return { ok: true, baseOffset: base, count: bodies.length, duplicate: false };
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const position = this.#resolve(request.from);
    if (typeof position !== "number") return position;
    if (position === this.#log.state.highWatermark && request.waitMs > 0) {
      await this.#waiters.wait(request.waitMs);
      const gone = this.#refuseIfDropped();
      if (gone) return gone;
    }
    const { logStartOffset, highWatermark } = this.#log.state;
    // Retention may have moved the start while this read was parked.
    if (position < logStartOffset) return outOfRange(position, logStartOffset, highWatermark);
    const slice = this.#log.read(position, request.maxRecords, request.maxBytes, request.lines ? "\n" : ",");
    return { ok: true, ...slice, highWatermark, logStartOffset };
  }

  /** Where a read from `from` would start, and the partition's bounds. */
  position(from: StartPosition): PositionResult {
    const offset = this.#resolve(from);
    if (typeof offset !== "number") return offset;
    const { logStartOffset, highWatermark } = this.#log.state;
    return { ok: true, offset, logStartOffset, highWatermark };
  }

  stats(): PartitionStats | Failure {
    const gone = this.#refuseIfDropped();
    if (gone) return gone;
    const { logStartOffset, highWatermark, recordCount, bytes } = this.#log.state;
    return { logStartOffset, highWatermark, records: recordCount, bytes };
  }

  /** Deletes the partition's data for good; later calls answer UNKNOWN_TOPIC_OR_PARTITION. */
  drop(): void {
    this.#log.drop();
    this.#waiters.wakeAll();
    this.#subscribers.closeAll(CLOSE_GONE, "topic deleted");
  }

  #resolve(from: StartPosition): number | Failure {
    const gone = this.#refuseIfDropped();
    if (gone) return gone;
    const { logStartOffset, highWatermark } = this.#log.state;
    if (from === "earliest") return logStartOffset;
    if (from === "latest") return highWatermark;
    if (typeof from === "object") return this.#log.offsetForTimestamp(from.timestamp);
    if (from < logStartOffset || from > highWatermark) return outOfRange(from, logStartOffset, highWatermark);
    return from;
  }

  #refuseIfDropped(): Failure | null {
    if (this.#log.state.status === "active") return null;
    return failure("UNKNOWN_TOPIC_OR_PARTITION", "this partition's topic was deleted");
  }
}

function outOfRange(offset: number, logStartOffset: number, highWatermark: number): Failure {
  return failure(
    "OFFSET_OUT_OF_RANGE",
    `offset ${offset} is outside [${logStartOffset}, ${highWatermark}]`,
    { logStartOffset, highWatermark },
  );
}
