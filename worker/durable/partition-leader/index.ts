/**
 * @module
 * PartitionLeader: the Durable Object that leads one topic partition, or
 * serves one Durable Stream (a stream is partition 0 of its own leader).
 * The work is the Leader's (leader.ts); this class is the object's shell.
 *
 * An object that has never stored anything stays that way until something
 * is written: a read, a HEAD, an append, a delete or a fork of a stream that
 * was never created is answered "no such stream" without loading the
 * leader, whose schema would otherwise be the one thing stored for a name
 * nobody created. Anything that may write (a topic's configure or append,
 * a stream's create) loads the leader, schema first.
 */

import { DurableObject } from "cloudflare:workers";
import type { Failure } from "../../../src/protocol/errors.ts";
import { hasSchema } from "../migrations.ts";
import { refuseStreamReadBounds } from "./batch-checks.ts";
import type { GroupCommitStats } from "./group-commit.ts";
import { Leader } from "./leader.ts";
import type { LeaderConfig } from "./leader-config.ts";
import type { AppendRequest, AppendResult, DeleteRecordsResult, PartitionStats, PositionResult, ReadRequest, ReadResult, StartPosition } from "./rpc.ts";
import { streamNotFound } from "./stream-face.ts";
import type {
  BatchAtResult,
  ForkAcquireRequest,
  ForkAcquireResult,
  StreamAppendRequest,
  StreamAppendResult,
  StreamCreateRequest,
  StreamCreateResult,
  StreamHeadResult,
  StreamProbeRequest,
  StreamProbeResult,
  StreamReadRequest,
  StreamReadResult,
} from "./stream-rpc.ts";

export class PartitionLeader extends DurableObject<Env> {
  /** Null while the object has stored nothing (see the module comment). */
  #leader: Leader | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#leader = hasSchema(ctx.storage.sql) ? new Leader(ctx, env, true) : null;
  }

  /** The leader, loaded (and its schema made) on first need. */
  #open(): Leader {
    return (this.#leader ??= new Leader(this.ctx, this.env, false));
  }

  override fetch(request: Request): Promise<Response> {
    return this.#open().fetch(request);
  }
  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.#open().webSocketMessage(ws, message);
  }
  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#open().webSocketClose(ws, code, reason);
  }
  override async alarm(): Promise<void> {
    // Only a leader that stored something can have set an alarm.
    await this.#leader?.alarm();
  }

  // A topic partition: its leader is configured when the topic is created.
  configure(config: LeaderConfig): PartitionStats | Failure {
    return this.#open().configure(config);
  }
  append(request: AppendRequest): Promise<AppendResult> {
    return this.#open().append(request);
  }
  groupCommitStats(): GroupCommitStats {
    return this.#open().groupCommitStats();
  }
  read(request: ReadRequest): Promise<ReadResult> {
    return this.#open().read(request);
  }
  position(from: StartPosition): Promise<PositionResult> {
    return this.#open().position(from);
  }
  deleteRecords(before: number | "latest"): DeleteRecordsResult {
    return this.#open().deleteRecords(before);
  }
  stats(): PartitionStats | Failure {
    return this.#open().stats();
  }
  drop(): void {
    this.#open().drop();
  }

  // A Durable Stream: only a create stores anything on an object that has nothing.
  streamCreate(req: StreamCreateRequest): StreamCreateResult {
    return this.#open().streamCreate(req);
  }
  streamProbe(req: StreamProbeRequest): StreamProbeResult {
    return this.#leader ? this.#leader.streamProbe(req) : { ok: true, exists: false };
  }
  streamAppend(req: StreamAppendRequest): Promise<StreamAppendResult> {
    return this.#leader ? this.#leader.streamAppend(req) : Promise.resolve(streamNotFound());
  }
  streamRead(req: StreamReadRequest): Promise<StreamReadResult> {
    return this.#leader ? this.#leader.streamRead(req) : Promise.resolve(refuseStreamReadBounds(req) ?? streamNotFound());
  }
  streamHead(): StreamHeadResult {
    return this.#leader ? this.#leader.streamHead() : streamNotFound();
  }
  streamDelete(): Promise<{ ok: true } | Failure> {
    return this.#leader ? this.#leader.streamDelete() : Promise.resolve(streamNotFound());
  }
  streamBatchAt(offset: number): BatchAtResult {
    return this.#leader ? this.#leader.streamBatchAt(offset) : streamNotFound();
  }
  streamAcquireFork(req: ForkAcquireRequest): ForkAcquireResult {
    return this.#leader ? this.#leader.streamAcquireFork(req) : streamNotFound();
  }
  async streamReleaseFork(): Promise<void> {
    await this.#leader?.streamReleaseFork();
  }
}
