/**
 * @module
 * An outbox in memory: for tests, short-lived scripts, and as the engine of
 * the file outbox, which journals each transaction's operations before it
 * resolves. Nothing here survives the process unless `persist` makes it.
 */

import { EdgelogError } from "../errors.ts";
import type { ProducerTuple } from "../http.ts";
import { SealPlanner, batchBody, partitionKey, wireOrder } from "../sync/plan.ts";
import { deadLetterOfBatch, nextIdentity, outboxFull, overflow, positionKey, requeueRecords, seqAfterAck } from "./common.ts";
import { OutboxState, sealedKey, type Op } from "./state.ts";
import type {
  AppendResult,
  Counters,
  DeadLetter,
  Eviction,
  Identity,
  NewRecord,
  OutboxLimits,
  OutboxStore,
  PositionKey,
  Progress,
  SealedBatch,
  SealedBatchInfo,
  SeqState,
  StepRequest,
  StepResult,
} from "./types.ts";

export class MemoryOutbox implements OutboxStore {
  readonly name: string;
  readonly shared = false;
  protected readonly state = new OutboxState();
  #nextDeadId = 1;
  #broken: EdgelogError | undefined;
  #closed = false;

  constructor(name: string) {
    this.name = name;
  }

  /** Makes `ops` durable; the memory outbox has nowhere to put them. */
  protected persist(_ops: Op[]): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Applies `ops` now (later reads see them; the first `applied` already
   * are), resolves once all of them are durable.
   */
  async #commit(ops: Op[], applied = 0): Promise<void> {
    if (ops.length === 0) return;
    this.state.apply(ops.slice(applied));
    try {
      await this.persist(ops);
    } catch (err) {
      // Memory is now ahead of the disk: refuse everything rather than act on it.
      this.#broken = new EdgelogError("STORAGE_ERROR", `the outbox could not be written: ${(err as Error).message}`, { cause: err });
      throw this.#broken;
    }
  }

  #check(): void {
    if (this.#broken) throw this.#broken;
    if (this.#closed) throw new EdgelogError("CLOSED", "the outbox is closed");
  }

  protected loaded(): void {
    for (const id of this.state.dead.keys()) this.#nextDeadId = Math.max(this.#nextDeadId, id + 1);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  async identity(): Promise<Identity | undefined> {
    this.#check();
    return this.state.identity;
  }

  async nextEpoch(atLeast = 0): Promise<Identity> {
    this.#check();
    const identity = nextIdentity(this.state.identity, atLeast);
    await this.#commit([{ op: "identity", identity }]);
    return identity;
  }

  async append(records: NewRecord[], limits: OutboxLimits): Promise<AppendResult> {
    this.#check();
    const counters = { ...this.state.counters };
    const bytes = records.reduce((sum, r) => sum + r.bytes, 0);
    const over = overflow(counters, records.length, bytes, limits);
    let evicted: number[] = [];
    if (over.records > 0 || over.bytes > 0) {
      if (limits.policy === "reject") throw outboxFull(limits, "policy 'reject'");
      const freed = this.#oldestUnsealed(over.records, over.bytes);
      if (freed.ids.length < over.records || freed.bytes < over.bytes) throw outboxFull(limits, "sealed batches fill it");
      evicted = freed.ids;
      counters.records -= evicted.length;
      counters.bytes -= freed.bytes;
      counters.dropped += evicted.length;
    }
    const pending = records.map((r, i) => ({ ...r, id: counters.lastId + 1 + i }));
    counters.lastId += records.length;
    counters.records += records.length;
    counters.bytes += bytes;
    const ops: Op[] = [];
    if (evicted.length) ops.push({ op: "unpend", ids: evicted });
    ops.push({ op: "pending", records: pending }, { op: "counters", counters });
    await this.#commit(ops);
    return { ids: pending.map((r) => r.id), evicted: eviction(evicted), counters };
  }

  async evictOldest(count: number): Promise<Eviction & { counters: Counters }> {
    this.#check();
    const counters = { ...this.state.counters };
    const { ids, bytes } = this.#oldestUnsealed(count, 0);
    counters.records -= ids.length;
    counters.bytes -= bytes;
    counters.dropped += ids.length;
    await this.#commit([{ op: "unpend", ids }, { op: "counters", counters }]);
    return { ...eviction(ids), counters };
  }

  async sealed(): Promise<SealedBatch[]> {
    this.#check();
    return [...this.state.sealed.values()].sort(wireOrder).map((b) => ({
      ...b,
      body: batchBody(b.ids.map((id) => this.state.pending.get(id)!.json)),
    }));
  }

  async step(request: StepRequest): Promise<StepResult> {
    this.#check();
    const { state } = this;
    const counters = { ...state.counters };
    const ops: Op[] = [];
    const deadLetters: DeadLetter[] = [];
    let scanFrom = state.scanFrom;
    /** Seq states set by this step, not applied yet. */
    const pendingSeq = new Map<string, SeqState>();
    // Only the batch as sealed (same tuple) is settled: a stale answer changes nothing.
    const settle = (batch: SealedBatchInfo): boolean => {
      if (!state.sealed.has(sealedKey(batch))) return false;
      ops.push({ op: "unseal", key: sealedKey(batch) }, { op: "unpend", ids: batch.ids });
      counters.records -= batch.ids.length;
      counters.bytes -= batch.bytes;
      return true;
    };
    for (const ack of request.acks ?? []) {
      if (!settle(ack)) continue;
      const key = partitionKey(ack.topic, ack.partition);
      const next = seqAfterAck(pendingSeq.get(key) ?? state.seq.get(key), ack);
      if (next) {
        ops.push({ op: "seq", state: next });
        pendingSeq.set(key, next);
      }
      counters.acked += ack.ids.length;
    }
    const failed = request.fail?.batch;
    if (request.fail && failed && settle(failed)) {
      const letter = { ...deadLetterOfBatch(failed, state.pending, request.fail.error, request.now), id: this.#nextDeadId++ };
      ops.push({ op: "dead", letter });
      deadLetters.push(letter);
      counters.deadLettered += letter.records.length;
      // The partition's later batches were never sent: unseal them, to be sealed again from the freed seq.
      for (const [key, later] of state.sealed) {
        if (later.topic !== failed.topic || later.partition !== failed.partition || key === sealedKey(failed)) continue;
        ops.push({ op: "unseal", key });
        scanFrom = Math.min(scanFrom, later.ids[0]!);
      }
    }
    // Settling first frees room for the seal below, in the same transaction.
    ops.push({ op: "scan", from: scanFrom });
    state.apply(ops);
    const settled = ops.length;
    const sealed: SealedBatch[] = [];
    let unknownTopics: string[] = [];
    let scanLimited = false;
    if (request.seal) {
      const planner = new SealPlanner(request.seal, state.sealed.values(), state.seq.values(), state.scanFrom);
      for (const record of state.pending.values()) {
        if (!planner.wantsMore) break;
        if (record.id >= state.scanFrom) planner.offer(record);
      }
      scanLimited = planner.hitLimit;
      const plan = planner.finish();
      unknownTopics = plan.unknownTopics;
      for (const { body, ...info } of plan.batches) {
        const batch = { ...info, sealedAt: request.now };
        sealed.push({ ...batch, body });
        ops.push({ op: "seal", batch });
      }
      if (plan.rejectedIds.length) ops.push({ op: "unpend", ids: plan.rejectedIds });
      for (const r of plan.rejected) {
        const letter = { ...r, id: this.#nextDeadId++, at: request.now };
        ops.push({ op: "dead", letter });
        deadLetters.push(letter);
        counters.records -= r.records.length;
        counters.deadLettered += r.records.length;
      }
      counters.bytes -= plan.rejectedBytes;
      ops.push({ op: "scan", from: plan.scanFrom });
    }
    ops.push({ op: "counters", counters });
    await this.#commit(ops, settled);
    return { sealed, deadLetters, unknownTopics, counters, scanLimited };
  }

  async progress(mark: number, acknowledged: readonly ProducerTuple[] = []): Promise<Progress> {
    this.#check();
    // Seqs count per partition: a tuple names a batch only together with its topic and partition.
    const key = (b: ProducerTuple & { topic?: string; partition?: number }) => `${b.topic}/${b.partition}/${b.producerId}/${b.epoch}/${b.seq}`;
    const settled = new Set(acknowledged.map(key));
    const waiting = new Set([...this.state.sealed.values()].filter((b) => !settled.has(key(b))).flatMap((b) => b.ids));
    const sealedIds = new Set([...this.state.sealed.values()].flatMap((b) => b.ids));
    let undelivered = false;
    for (const id of this.state.pending.keys()) {
      if (id > mark) break;
      if (waiting.has(id) || !sealedIds.has(id)) {
        undelivered = true;
        break;
      }
    }
    return { undelivered, deadLetters: [...this.state.dead.values()].filter((d) => d.minId <= mark) };
  }

  async counters(): Promise<Counters> {
    this.#check();
    return { ...this.state.counters };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    this.#check();
    return [...this.state.dead.values()];
  }

  async requeueDeadLetters(ids?: number[]): Promise<number> {
    this.#check();
    const letters = this.#selectDead(ids);
    const counters = { ...this.state.counters };
    const pending = letters.flatMap(requeueRecords).map((r) => ({ ...r, id: ++counters.lastId }));
    counters.records += pending.length;
    counters.bytes += pending.reduce((sum, r) => sum + r.bytes, 0);
    await this.#commit([
      { op: "undead", ids: letters.map((l) => l.id) },
      { op: "pending", records: pending },
      { op: "counters", counters },
    ]);
    return pending.length;
  }

  async discardDeadLetters(ids?: number[]): Promise<number> {
    this.#check();
    const letters = this.#selectDead(ids);
    await this.#commit([{ op: "undead", ids: letters.map((l) => l.id) }]);
    return letters.reduce((sum, l) => sum + l.records.length, 0);
  }

  async getPosition(key: PositionKey): Promise<number | undefined> {
    this.#check();
    return this.state.positions.get(positionKey(key));
  }

  async setPosition(key: PositionKey, offset: number): Promise<void> {
    this.#check();
    await this.#commit([{ op: "position", key: positionKey(key), offset }]);
  }

  async getMeta(key: string): Promise<unknown> {
    this.#check();
    return this.state.meta.get(key);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.#check();
    await this.#commit([{ op: "meta", key, value }]);
  }

  /** The oldest pending records not in a sealed batch, enough to free `records` and `bytes`. */
  #oldestUnsealed(records: number, bytes: number): { ids: number[]; bytes: number } {
    const sealed = new Set([...this.state.sealed.values()].flatMap((b) => b.ids));
    const ids: number[] = [];
    let freed = 0;
    for (const r of this.state.pending.values()) {
      if (ids.length >= records && freed >= bytes) break;
      if (sealed.has(r.id)) continue;
      ids.push(r.id);
      freed += r.bytes;
    }
    return { ids, bytes: freed };
  }

  #selectDead(ids: number[] | undefined): DeadLetter[] {
    const all = [...this.state.dead.values()];
    return ids ? all.filter((d) => ids.includes(d.id)) : all;
  }
}

function eviction(ids: number[]): Eviction {
  return { count: ids.length, firstId: ids[0] ?? 0, lastId: ids[ids.length - 1] ?? 0 };
}
