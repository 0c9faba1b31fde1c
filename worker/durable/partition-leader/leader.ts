/**
 * @module
 * The leader of one topic partition, or of one Durable Stream, once its
 * object has stored something (index.ts loads it): it assigns offsets,
 * applies the idempotent producer rules, stores each produce request as one
 * batch row and parks long-poll reads until data arrives; its alarm
 * enforces retention, compaction and cold storage (maintenance.ts). Every
 * method answers after its writes are durable: the output gate holds the
 * RPC reply until SQLite has committed.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { streamSettings } from "../../config.ts";
import { migrate } from "../migrations.ts";
import { ColdStore, readCold } from "./cold-store.ts";
import { applyPolicy, deleteRecordsRefused, refuseKeyless } from "./compaction.ts";
import { ConfigStore } from "./config-store.ts";
import type { LeaderConfig } from "./leader-config.ts";
import { LEADER_MIGRATIONS } from "./schema.ts";
import { LogStore } from "./log-store.ts";
import { outOfRange, refuseIfDropped, resolveStart } from "./start-position.ts";
import type { Slice } from "./slice.ts";
import { RETENTION_SEGMENTS_PER_ROUND, maintain, nextDue, sizeTrigger, type Maintained } from "./maintenance.ts";
import { refuseBatchSize, refuseReadBounds, renderBatch } from "./batch-checks.ts";
import { decideSequence } from "./producer-state.ts";
import { GroupCommit, type GroupCommitStats } from "./group-commit.ts";
import { CLOSE_GONE, Subscribers } from "./subscribers.ts";
import { Waiters } from "./waiters.ts";
import { AlarmClock } from "./alarm-clock.ts";
import { leaderStub } from "../../leaders.ts";
import { StreamFace, type StreamHost } from "./stream-face.ts";
import { batchAt, headStream, readStream } from "./stream-reads.ts";
import {
  CLOSE_STREAM_CLOSED,
  streamTopicId,
  type BatchAtResult,
  type ForkAcquireRequest,
  type ForkAcquireResult,
  type StreamAppendRequest,
  type StreamAppendResult,
  type StreamCreateRequest,
  type StreamCreateResult,
  type StreamHeadResult,
  type StreamProbeRequest,
  type StreamProbeResult,
  type StreamReadRequest,
  type StreamReadResult,
} from "./stream-rpc.ts";
import type {
  AppendRequest,
  AppendResult,
  DeleteRecordsResult,
  PartitionStats,
  PositionResult,
  ReadRequest,
  ReadResult,
  StartPosition,
} from "./rpc.ts";

/** New keys wait this long to be indexed, so one housekeeping round serves many appends. */
const COMPACTION_DELAY_MS = 1_000;

export class Leader {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #log: LogStore;
  readonly #config: ConfigStore;
  readonly #cold: ColdStore | null;
  readonly #waiters = new Waiters();
  readonly #subscribers: Subscribers;
  /** Appends that arrive together commit together (group-commit.ts). */
  readonly #appends: GroupCommit<AppendRequest, AppendResult>;
  /** The Durable Streams face, for a leader that serves a stream (stream-face.ts). */
  readonly #stream: StreamFace;
  readonly #alarm: AlarmClock;
  /** Stored bytes at which size retention has work again (see sizeTrigger). */
  #sizeTrigger: number;
  /** Housekeeping rounds run one after another, even when alarm() is called twice at once. */
  #maintaining: Promise<unknown> = Promise.resolve();

  /** `stored`: the object had its schema already, so it may have an alarm set. */
  constructor(ctx: DurableObjectState, env: Env, stored: boolean) {
    this.#ctx = ctx;
    this.#env = env;
    migrate(ctx.storage, LEADER_MIGRATIONS);
    this.#log = new LogStore(ctx.storage);
    this.#config = new ConfigStore(ctx.storage.sql);
    this.#cold = env.COLD_SEGMENTS ? new ColdStore(env.COLD_SEGMENTS) : null;
    this.#subscribers = new Subscribers(ctx, this.#log, streamSettings(env).subscriberBufferBytes);
    this.#appends = new GroupCommit(
      (request) => this.#appendNow(request),
      (work) => ctx.storage.transactionSync(work),
      () => this.#log.discardUncommitted(),
      () => ctx.storage.sync(),
    );
    this.#stream = new StreamFace(this.#streamHost());
    this.#sizeTrigger = sizeTrigger(this.#maintained());
    this.#alarm = new AlarmClock(ctx.storage);
    // An object that never stored anything has no alarm to read.
    if (stored) void ctx.blockConcurrencyWhile(() => this.#alarm.load());
  }

  /**
   * The one HTTP entry: a live subscription (`GET /subscribe?from=N` with
   * `Upgrade: websocket`). WebSockets cannot travel over RPC, so this is
   * the only thing fetch() does.
   */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/subscribe" || request.headers.get("upgrade") !== "websocket") {
      return Response.json(failure("NOT_FOUND", "the leader only accepts subscriptions"), { status: 404 });
    }
    const from = Number(url.searchParams.get("from") ?? "x");
    if (!Number.isSafeInteger(from)) return Response.json(failure("INVALID_REQUEST", "from must be an offset"), { status: 400 });
    const position = await resolveStart(this.#log, this.#cold, from);
    if (typeof position !== "number") return Response.json(position, { status: 416 });
    const accepted = this.#subscribers.accept(position);
    // A closed stream gets no more appends: the subscriber has its backlog and is done.
    if (this.#stream.isClosed) this.#subscribers.closeAll(CLOSE_STREAM_CLOSED, "stream closed");
    return accepted;
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.#subscribers.onMessage(ws, message);
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  /** The topic's config for this partition, from the topic routes; answers with the partition's stats. */
  configure(config: LeaderConfig): PartitionStats | Failure {
    const gone = refuseIfDropped(this.#log);
    if (gone) return gone;
    this.#offerConfig(config, true);
    return this.stats();
  }

  /** Appends one batch; resolves once it is durable (with the others of its group). */
  append(request: AppendRequest): Promise<AppendResult> {
    return this.#appends.submit(request);
  }

  /** How appends were grouped into commits (for tests and diagnostics). */
  groupCommitStats(): GroupCommitStats {
    return { ...this.#appends.stats };
  }

  #appendNow(request: AppendRequest): AppendResult {
    const gone = refuseIfDropped(this.#log);
    if (gone) return gone;
    const { bodies, timestamps, producer } = request;
    const badSize = refuseBatchSize(bodies.length);
    if (badSize) return badSize;
    if (request.config) this.#offerConfig(request.config, false);
    const config = this.#config.current;
    if (producer) {
      const decision = decideSequence(this.#log.producers.get(producer.producerId), producer);
      if ("ok" in decision) return decision;
      if (decision.kind === "duplicate") {
        const original = this.#log.producers.batchOf(producer);
        return { ok: true, baseOffset: original?.baseOffset ?? -1, count: original?.count ?? 0, duplicate: true };
      }
    }
    const now = Date.now();
    const base = this.#log.state.highWatermark;
    const compact = config.cleanupPolicy === "compact";
    if (compact) {
      const keyless = refuseKeyless(bodies);
      if (keyless) return keyless;
    }
    const batch = renderBatch(bodies, timestamps, base, now);
    if ("ok" in batch) return batch;
    const { closed, stored: appended } = this.#log.append({ ...batch, count: bodies.length, producer }, now, config.segmentBytes);
    this.#waiters.wakeAll();
    this.#subscribers.publish(appended);
    // The alarm indexes the new keys (and compacts) in bulk a moment later.
    if (compact) this.#alarm.ensure(now + COMPACTION_DELAY_MS);
    const stored = this.#log.state.bytes + this.#log.segments.coldBytes;
    if (closed || stored >= this.#sizeTrigger || (this.#alarm.at === null && config.retentionMs >= 0 && config.cleanupPolicy === "delete")) {
      this.#reschedule(false);
    }
    return { ok: true, baseOffset: base, count: bodies.length, duplicate: false };
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const refused = refuseReadBounds(request);
    if (refused) return refused;
    const position = await resolveStart(this.#log, this.#cold, request.from);
    if (typeof position !== "number") return position;
    if (position === this.#log.state.highWatermark && request.waitMs > 0) {
      await this.#waiters.wait(request.waitMs);
      const gone = refuseIfDropped(this.#log);
      if (gone) return gone;
    }
    // Retention may have moved the start while this read was parked.
    if (position < this.#log.state.logStartOffset) return outOfRange(this.#log, position);
    const separator = request.lines ? "\n" : ",";
    let slice: Slice | Failure;
    if (position < this.#log.segments.coldEnd) {
      if (!this.#cold) return failure("UNAVAILABLE", "older records are in cold storage, which this deployment does not bind");
      slice = await readCold(this.#log, this.#cold, position, request.maxRecords, request.maxBytes, separator);
      if ("ok" in slice) return slice;
      // ... or while R2 answered.
      if (position < this.#log.state.logStartOffset) return outOfRange(this.#log, position);
    } else {
      slice = this.#log.read(position, request.maxRecords, request.maxBytes, separator);
    }
    const { logStartOffset, highWatermark } = this.#log.state;
    return { ok: true, ...slice, highWatermark, logStartOffset };
  }

  /** Where a read from `from` would start, and the partition's bounds. */
  async position(from: StartPosition): Promise<PositionResult> {
    const offset = await resolveStart(this.#log, this.#cold, from);
    if (typeof offset !== "number") return offset;
    const { logStartOffset, highWatermark } = this.#log.state;
    return { ok: true, offset, logStartOffset, highWatermark };
  }

  /** Kafka's DeleteRecords: every record below `before` goes, the log start moves there. */
  deleteRecords(before: number | "latest"): DeleteRecordsResult {
    const gone = refuseIfDropped(this.#log);
    if (gone) return gone;
    if (this.#config.current.cleanupPolicy === "compact") return deleteRecordsRefused();
    const { logStartOffset, highWatermark } = this.#log.state;
    const target = before === "latest" ? highWatermark : before;
    if (target > highWatermark) {
      return failure("OFFSET_OUT_OF_RANGE", `before ${target} is past the high watermark ${highWatermark}`, {
        logStartOffset,
        highWatermark,
      });
    }
    if (target > logStartOffset) {
      this.#log.deleteBelow(target, RETENTION_SEGMENTS_PER_ROUND);
      // More segments below the new start, or R2 objects to delete: the alarm finishes.
      this.#reschedule(false);
    }
    return { ok: true, logStartOffset: this.#log.state.logStartOffset };
  }

  stats(): PartitionStats | Failure {
    const gone = refuseIfDropped(this.#log);
    if (gone) return gone;
    const { logStartOffset, highWatermark, recordCount, bytes } = this.#log.state;
    const { segments, coldBytes } = this.#log.segments.totals();
    return {
      logStartOffset,
      highWatermark,
      records: recordCount,
      bytes: bytes + coldBytes,
      bytesInSqlite: bytes,
      bytesInR2: coldBytes,
      segments,
    };
  }

  /** Deletes the partition's data for good; later calls answer UNKNOWN_TOPIC_OR_PARTITION. */
  drop(): void {
    this.#log.drop();
    this.#waiters.wakeAll();
    this.#subscribers.closeAll(CLOSE_GONE, "topic deleted");
    this.#reschedule(true);
  }

  /** Housekeeping; idempotent, so an alarm delivered twice (or called twice at once) is harmless. */
  async alarm(): Promise<void> {
    const round = this.#maintaining.then(async () => {
      this.#alarm.rang();
      this.#stream.expire(Date.now());
      const next = await maintain(this.#maintained(), Date.now());
      this.#sizeTrigger = sizeTrigger(this.#maintained());
      const expiry = this.#stream.nextDue();
      this.#alarm.set(next === null || (expiry !== null && expiry < next) ? expiry : next);
    });
    this.#maintaining = round.catch(() => undefined);
    await round;
  }

  // The Durable Streams face (stream-face.ts, stream-reads.ts): one line each.
  streamProbe(req: StreamProbeRequest): StreamProbeResult {
    return this.#stream.probe(req, Date.now());
  }
  streamCreate(req: StreamCreateRequest): StreamCreateResult {
    return this.#stream.create(req, Date.now());
  }
  streamAppend(req: StreamAppendRequest): Promise<StreamAppendResult> {
    return this.#stream.append(req);
  }
  streamRead(req: StreamReadRequest): Promise<StreamReadResult> {
    return readStream(this.#stream, { log: this.#log, wait: (ms) => this.#waiters.wait(ms) }, req);
  }
  streamHead(): StreamHeadResult {
    return headStream(this.#stream);
  }
  streamDelete(): Promise<{ ok: true } | Failure> {
    return this.#stream.delete(Date.now());
  }
  streamBatchAt(offset: number): BatchAtResult {
    return batchAt(this.#stream, this.#log, offset);
  }
  streamAcquireFork(req: ForkAcquireRequest): ForkAcquireResult {
    return this.#stream.acquireFork(req, Date.now());
  }
  streamReleaseFork(): Promise<void> {
    return this.#stream.releaseFork();
  }

  #streamHost(): StreamHost {
    return {
      storage: this.#ctx.storage,
      log: this.#log,
      append: (request) => this.#appendNow(request),
      endLive: () => {
        this.#waiters.wakeAll();
        this.#subscribers.closeAll(CLOSE_STREAM_CLOSED, "stream closed");
      },
      drop: () => this.drop(),
      alarmBy: (at) => this.#alarm.ensure(at),
      releaseSource: async (source) => {
        try {
          await leaderStub(this.#env, streamTopicId(source), 0).streamReleaseFork();
        } catch (err) {
          // The source stays marked deleted (410) instead of going; nothing is lost.
          console.error("releasing a fork's source failed", source, err);
        }
      },
    };
  }

  #offerConfig(config: LeaderConfig, authoritative: boolean): void {
    const previous = this.#config.offer(config, authoritative, Date.now());
    if (!previous) return;
    applyPolicy(this.#log, config.cleanupPolicy === "compact");
    this.#reschedule(true);
  }

  #maintained(): Maintained {
    return { log: this.#log, config: this.#config.current, cold: this.#cold };
  }

  /** Sets the alarm to when housekeeping is next due: only ever earlier, unless `replace`. */
  #reschedule(replace: boolean): void {
    this.#sizeTrigger = sizeTrigger(this.#maintained());
    const due = nextDue(this.#maintained(), Date.now());
    if (replace) this.#alarm.set(due);
    else if (due !== null) this.#alarm.ensure(due);
  }
}
