/**
 * @module
 * The leader's side of the Durable Streams face: a stream is a partition
 * leader whose log holds the stream's appends, plus one metadata row
 * (stream-meta.ts). Create, append, close, delete and the fork references
 * live here; every change to the row runs in the same SQLite transaction as
 * the append it belongs to, and appends go through the leader's own append
 * (same batches, same idempotent producer state, same durability rule).
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { GroupCommit } from "./group-commit.ts";
import type { LogStore } from "./log-store.ts";
import type { AppendRequest, AppendResult } from "./rpc.ts";
import { StreamMeta, expiryOf, sameFork, sameMediaType, type StreamRow } from "./stream-meta.ts";
import { decideStreamSequence, recordProducerClose } from "./stream-producers.ts";
import type {
  ForkAcquireRequest,
  ForkAcquireResult,
  StreamAppendRequest,
  StreamAppendResult,
  StreamCreateRequest,
  StreamCreateResult,
  StreamInfo,
  StreamProbeRequest,
  StreamProbeResult,
} from "./stream-rpc.ts";

/** What the face needs from its leader (leader.ts). */
export interface StreamHost {
  readonly storage: DurableObjectStorage;
  readonly log: LogStore;
  append(request: AppendRequest): AppendResult;
  /** Wakes long-polls and ends live subscriptions, so readers look again (a close or a delete). */
  endLive(): void;
  /** Deletes the log for good (Leader.drop). */
  drop(): void;
  /** The alarm must run by `at` (expiry). */
  alarmBy(at: number): void;
  /** Lets go of a fork's reference on its source, another leader. */
  releaseSource(source: string): Promise<void>;
}

/** A read touches a TTL'd stream at most this often (each touch is a write). */
const MAX_TOUCH_INTERVAL_MS = 1_000;

export class StreamFace {
  readonly #host: StreamHost;
  readonly #meta: StreamMeta;
  readonly #appends: GroupCommit<StreamAppendRequest, StreamAppendResult>;

  constructor(host: StreamHost) {
    this.#host = host;
    this.#meta = new StreamMeta(host.storage.sql);
    this.#appends = new GroupCommit(
      (req) => this.#appendOne(req, Date.now()),
      (work) => host.storage.transactionSync(work),
      () => {
        host.log.discardUncommitted();
        this.#meta.reload();
      },
      () => host.storage.sync(),
    );
  }

  /**
   * The stream's row once expiry has been applied (an expired stream is
   * deleted, or kept as deleted while forks read it); null when none.
   */
  live(now: number): Readonly<StreamRow> | null {
    const row = this.#meta.row;
    if (row && !row.deleted) {
      const due = expiryOf(row);
      if (due !== null && now >= due) {
        const source = this.#remove(row);
        // Nobody waits on an expiry: the release runs on its own.
        if (source) void this.#host.releaseSource(source);
      }
    }
    return this.#meta.row;
  }

  /** The row as stored, expired or not: for a fork reading what it inherited. */
  get stored(): Readonly<StreamRow> | null {
    return this.#meta.row;
  }

  info(row: Readonly<StreamRow>): StreamInfo {
    return {
      contentType: row.contentType,
      ttlSeconds: row.ttlSeconds,
      expiresAt: row.expiresAt,
      tail: this.#host.log.state.highWatermark,
      closed: row.closed,
    };
  }

  /** Reads and writes slide a TTL forward; HEAD does not. */
  touch(row: Readonly<StreamRow>, now: number): void {
    if (row.ttlSeconds === null || row.deleted) return;
    if (now - row.touchedAt < Math.min(MAX_TOUCH_INTERVAL_MS, (row.ttlSeconds * 1000) / 10)) return;
    this.#meta.update({ touchedAt: now });
    this.#scheduleExpiry();
  }

  /** Whether a stream create names one that exists; a fork asks before it takes a reference on its source. */
  probe(req: StreamProbeRequest, now: number): StreamProbeResult {
    const row = this.live(now);
    if (!row) return { ok: true, exists: false };
    if (row.deleted) return deletedExists();
    const fork = row.fork;
    const same =
      fork !== null &&
      fork.source === req.fork.source &&
      (typeof req.fork.offset !== "number" || fork.offset === req.fork.offset) &&
      fork.subOffset === req.fork.subOffset &&
      (req.contentType === null || sameMediaType(req.contentType, row.contentType)) &&
      ((req.ttlSeconds === null && req.expiresAt === null) || (req.ttlSeconds === row.ttlSeconds && req.expiresAt === row.expiresAt)) &&
      req.closed === row.closed;
    return same ? { ok: true, exists: true, info: this.info(row) } : exists();
  }

  create(req: StreamCreateRequest, now: number): StreamCreateResult {
    const row = this.live(now);
    if (row) {
      if (row.deleted) return deletedExists();
      const c = req.config;
      const same =
        sameMediaType(c.contentType, row.contentType) &&
        c.ttlSeconds === row.ttlSeconds &&
        c.expiresAt === row.expiresAt &&
        req.closed === row.closed &&
        sameFork(req.fork ?? null, row.fork);
      return same ? { ok: true, created: false, info: this.info(row) } : exists();
    }
    const log = this.#host.log;
    // A stream created again after a delete starts past its old offsets, so
    // an offset from before never names new data.
    const base = req.fork?.base ?? log.state.highWatermark;
    if (base < log.state.highWatermark) {
      return failure("STREAM_EXISTS", `this name held a stream up to offset ${log.state.highWatermark}; a fork from ${base} would reuse its offsets`);
    }
    let refused: Failure | undefined;
    this.#transaction(() => {
      this.#rebase(base);
      if (req.bodies.length > 0) {
        const appended = this.#host.append({ bodies: req.bodies });
        // A refused append wrote nothing: the stream is not created.
        if (!appended.ok) return void (refused = appended);
      }
      this.#meta.insert({
        ...req.config,
        touchedAt: now,
        closed: req.closed,
        deleted: false,
        streamSeq: null,
        start: req.fork?.start ?? base,
        base,
        fork: req.fork ? { source: req.fork.source, offset: req.fork.offset, subOffset: req.fork.subOffset } : null,
        forkRefs: 0,
      });
    });
    if (refused) return refused;
    this.#scheduleExpiry();
    return { ok: true, created: true, info: this.info(this.#meta.row!) };
  }

  /** Appends (or closes); answered once durable, committed with the appends that arrived with it (group-commit.ts). */
  append(req: StreamAppendRequest): Promise<StreamAppendResult> {
    return this.#appends.submit(req);
  }

  #appendOne(req: StreamAppendRequest, now: number): StreamAppendResult {
    const row = this.live(now);
    if (!row) return streamNotFound();
    if (row.deleted) return deletedRefusal();
    const log = this.#host.log;
    const closeOnly = req.bodies.length === 0;
    if (!closeOnly && req.contentType !== null && !sameMediaType(req.contentType, row.contentType)) {
      return failure("CONTENT_TYPE_MISMATCH", `this stream's content type is ${row.contentType}, not ${req.contentType}`);
    }
    const p = req.producer;
    if (p) {
      const state = log.producers.get(p.producerId);
      const decision = decideStreamSequence(state, p);
      if ("ok" in decision) return decision;
      // A retry is answered before anything else: its original already passed every check.
      if (decision.kind === "duplicate") {
        return { ok: true, next: log.state.highWatermark, duplicate: true, closed: row.closed, producer: { epoch: state!.epoch, seq: state!.lastSeq } };
      }
    }
    const tail = log.state.highWatermark;
    if (row.closed) {
      // Closing a closed stream again changes nothing and succeeds.
      if (closeOnly && req.close) return { ok: true, next: tail, duplicate: false, closed: true };
      return { ...failure("STREAM_CLOSED", "this stream is closed: it takes no more appends"), next: tail, closed: true };
    }
    if (req.streamSeq !== undefined && row.streamSeq !== null && req.streamSeq <= row.streamSeq) {
      return failure("STREAM_SEQ_CONFLICT", `Stream-Seq '${req.streamSeq}' is not above the last one, '${row.streamSeq}'`);
    }
    const change: Parameters<StreamMeta["update"]>[0] = {};
    if (req.streamSeq !== undefined) change.streamSeq = req.streamSeq;
    if (req.close) change.closed = true;
    if (row.ttlSeconds !== null) change.touchedAt = now;
    const metaChanges = Object.keys(change).length > 0;
    let refused: Failure | undefined;
    const write = () => {
      if (!closeOnly) {
        const appended = this.#host.append({ bodies: req.bodies, ...(p ? { producer: p } : {}) });
        if (!appended.ok) return void (refused = appended);
      } else if (p) {
        recordProducerClose(this.#host.storage.sql, p, tail, now);
      }
      if (metaChanges) this.#meta.update(change);
    };
    // A plain append is the leader's own append, atomic by itself; one that
    // changes the stream's row too commits both or neither.
    if (metaChanges || closeOnly) this.#transaction(write);
    else write();
    if (refused) return refused;
    if (row.ttlSeconds !== null) this.#scheduleExpiry();
    // Readers parked at the tail, and live ones, learn of the close now.
    if (req.close) this.#host.endLive();
    return {
      ok: true,
      next: log.state.highWatermark,
      duplicate: false,
      closed: this.#meta.row!.closed,
      ...(p ? { producer: { epoch: p.epoch, seq: p.seq } } : {}),
    };
  }

  /** DELETE: gone at once, or kept (410) while forks still read it. */
  async delete(now: number): Promise<{ ok: true } | Failure> {
    const row = this.live(now);
    if (!row) return streamNotFound();
    if (row.deleted) return deletedRefusal();
    const source = this.#remove(row);
    if (source) await this.#host.releaseSource(source);
    return { ok: true };
  }

  /** A fork of this stream is being created: check the fork point and take a reference. */
  acquireFork(req: ForkAcquireRequest, now: number): ForkAcquireResult {
    const row = this.live(now);
    if (!row) return streamNotFound();
    if (row.deleted) return failure("STREAM_EXISTS", "the source stream was deleted; it cannot be forked");
    const tail = this.#host.log.state.highWatermark;
    const offset = req.offset === "start" ? row.start : (req.offset ?? tail);
    if (offset > tail || offset < row.start) {
      return failure("INVALID_REQUEST", `the fork offset is outside the source stream (it holds offsets ${row.start} to ${tail})`);
    }
    this.#meta.update({ forkRefs: row.forkRefs + 1 });
    return {
      ok: true,
      config: { contentType: row.contentType, ttlSeconds: row.ttlSeconds, expiresAt: row.expiresAt },
      offset,
      start: row.start,
      tail,
    };
  }

  /** A fork of this stream is gone; a deleted source with no forks left goes for good. */
  async releaseFork(): Promise<void> {
    const row = this.#meta.row;
    if (!row || row.forkRefs === 0) return;
    this.#meta.update({ forkRefs: row.forkRefs - 1 });
    if (row.forkRefs - 1 === 0 && row.deleted) {
      const source = this.#remove(this.#meta.row!);
      if (source) await this.#host.releaseSource(source);
    }
  }

  /** For the alarm: applies expiry. */
  expire(now: number): void {
    this.live(now);
  }

  /** When the alarm must next run for this stream, if ever. */
  nextDue(): number | null {
    const row = this.#meta.row;
    return row && !row.deleted ? expiryOf(row) : null;
  }

  /** A live subscription to a closed stream is ended once it has its backlog. */
  get isClosed(): boolean {
    return this.#meta.row?.closed === true;
  }

  /**
   * Deletes the stream, or marks it deleted while forks read it. Returns the
   * source a deleted fork must release (the caller awaits that RPC).
   */
  #remove(row: Readonly<StreamRow>): string | null {
    if (row.forkRefs > 0) {
      this.#meta.update({ deleted: true });
      this.#host.endLive();
      return null;
    }
    this.#transaction(() => {
      this.#meta.remove();
      this.#host.drop();
    });
    return row.fork?.source ?? null;
  }

  /** An empty log, active, at `base` (a new stream, or one created again after a delete). */
  #rebase(base: number): void {
    const log = this.#host.log;
    const s = log.state;
    if (s.status === "active" && s.highWatermark === base && s.logStartOffset === base) return;
    log.change(() => {
      this.#host.storage.sql.exec("UPDATE partition_state SET status = 'active', high_watermark = ? WHERE id = 1", base);
      return { logStartOffset: base };
    });
  }

  #scheduleExpiry(): void {
    const due = this.nextDue();
    if (due !== null) this.#host.alarmBy(due);
  }

  #transaction(work: () => void): void {
    try {
      this.#host.storage.transactionSync(work);
    } catch (err) {
      this.#meta.reload();
      throw err;
    }
  }
}

/** The answer for a stream that does not exist (or never did: index.ts). */
export function streamNotFound(): Failure {
  return failure("NOT_FOUND", "no such stream");
}

function exists(): Failure {
  return failure("STREAM_EXISTS", "a stream with a different configuration exists at this URL");
}

function deletedExists(): Failure {
  return failure("STREAM_EXISTS", "a stream deleted while forks still read it holds this name until they are gone");
}

function deletedRefusal(): Failure {
  return failure("STREAM_DELETED", "this stream was deleted; forks still read it, so its name stays taken until they are gone");
}
