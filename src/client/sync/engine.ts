/**
 * @module
 * The drain engine: what the leader runs to move the outbox to the bus,
 * whatever the store. Its loop is
 *
 *   seal (one transaction) → POST with the sealed tuple → ack + seal more (one transaction)
 *
 * This file holds the outbox side: steps (seal, record acknowledgements and
 * refusals) run one at a time, each one transaction. The wire side, one lane
 * per partition, is lanes.ts. A final refusal moves the batch to the dead
 * letters and unseals the lane's later batches (never sent), which are
 * sealed again from the seq the refused one leaves free.
 */

import { StickyPartitioner } from "../../protocol/partitioner.ts";
import { Backoff, type BackoffOptions } from "../backoff.ts";
import { EdgelogError, toEdgelogError } from "../errors.ts";
import { KEEPALIVE_BUDGET, type BusHttp } from "../http.ts";
import type { DeadLetter, Identity, OutboxStore, SealInput, SealedBatch, SealedBatchInfo, StepRequest, StepResult } from "../outbox/types.ts";
import { Lanes, withoutBody } from "./lanes.ts";
import type { TopicMetadata } from "./metadata.ts";
import type { NetworkState } from "./network.ts";

export interface EngineOptions {
  /** How long new records wait for company before a batch is sealed. */
  lingerMs: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** Sealed batches a partition may hold (default 4): a backlog is sealed ahead of the wire. */
  maxSealedPerPartition?: number;
  backoff?: BackoffOptions;
}

interface EngineHooks {
  /** Every settled transaction, for flushes and other tabs. */
  progress(result: StepResult): void;
  /** The bus acknowledged a batch (its transaction may follow later): flushes here may look again. */
  acknowledged(): void;
  deadLetters(letters: DeadLetter[]): void;
  /** The outbox became empty after a drain. */
  synced(): void;
  /** A failure that concerns no record (storage). */
  failure(error: EdgelogError): void;
}

export class DrainEngine {
  readonly #store: OutboxStore;
  readonly #metadata: TopicMetadata;
  readonly #options: EngineOptions;
  readonly #hooks: EngineHooks;
  readonly #sticky = new StickyPartitioner();
  readonly #stop = new AbortController();
  readonly #lanes: Lanes;
  readonly #retry: Backoff;
  #identity: Identity | undefined;
  #steps: Promise<void> = Promise.resolve();
  #sealQueued = false;
  readonly #acks: SealedBatchInfo[] = [];
  #acksQueued = false;
  /** Acknowledged by the bus, until their step commits. */
  readonly #recording = new Set<SealedBatchInfo>();
  #linger: ReturnType<typeof setTimeout> | undefined;
  #hidden = false;

  constructor(store: OutboxStore, http: BusHttp, network: NetworkState, metadata: TopicMetadata, options: EngineOptions, hooks: EngineHooks) {
    this.#store = store;
    this.#metadata = metadata;
    this.#options = options;
    this.#hooks = hooks;
    this.#retry = new Backoff(options.backoff);
    this.#lanes = new Lanes(http, network, options.backoff, this.#stop.signal, {
      acknowledged: (ack) => {
        this.#recording.add(ack);
        this.#enqueue({ ack });
        this.#hooks.acknowledged();
      },
      refused: (batch, error) => this.#refused(batch, error),
    });
  }

  get identity(): Identity | undefined {
    return this.#identity;
  }

  /** Batches the bus acknowledged whose acknowledgement is not recorded yet. */
  get acknowledged(): readonly SealedBatchInfo[] {
    return [...this.#recording];
  }

  get #running(): boolean {
    return !this.#stop.signal.aborted;
  }

  /**
   * Takes over the outbox with a new epoch. Every batch a previous leader
   * sealed goes out again first, with its original tuple (the bus
   * deduplicates it or appends it); the new epoch's batches of a partition
   * follow them on the wire, from seq 0.
   */
  async start(): Promise<void> {
    const identity = await this.#store.nextEpoch();
    await this.#metadata.restore();
    const sealed = await this.#store.sealed();
    this.#identity = identity;
    this.#lanes.accept(sealed);
    this.wake(true);
  }

  /** A producer for `topic` exists: learn its metadata now rather than at the first seal. */
  prefetch(topic: string): void {
    if (this.#running && !this.#metadata.has(topic)) void this.#learn(topic);
  }

  stop(): void {
    this.#stop.abort();
    clearTimeout(this.#linger);
  }

  /** New records are waiting: seal after the linger time, or now when `urgent`. */
  wake(urgent = false): void {
    if (!this.#running || !this.#identity) return;
    if (urgent || this.#options.lingerMs <= 0) {
      clearTimeout(this.#linger);
      this.#linger = undefined;
      this.#enqueue({});
      return;
    }
    this.#linger ??= setTimeout(() => {
      this.#linger = undefined;
      this.#enqueue({});
    }, this.#options.lingerMs);
  }

  /** While the page is hidden, batches are sealed small enough to go out with keepalive. */
  setHidden(hidden: boolean): void {
    this.#hidden = hidden;
    if (hidden) this.wake(true);
  }

  /** The page is going away: batches on the wire go out once more with `keepalive`. */
  pageHide(): void {
    this.#lanes.pageHide();
  }

  /**
   * Queues a step. Steps run one at a time; acknowledgements that arrive
   * while one is queued join it (one transaction for many), and a queued
   * seal covers every later wake.
   */
  #enqueue(request: { ack?: SealedBatchInfo; fail?: StepRequest["fail"] }): void {
    if (request.ack) {
      this.#acks.push(request.ack);
      if (this.#acksQueued) return;
      this.#acksQueued = true;
      this.#steps = this.#steps.then(() => {
        this.#acksQueued = false;
        return this.#step({ acks: this.#acks.splice(0) }, false);
      });
      return;
    }
    const sealOnly = !request.fail;
    if (sealOnly) {
      if (this.#sealQueued) return;
      this.#sealQueued = true;
    }
    this.#steps = this.#steps.then(() => this.#step({ fail: request.fail }, sealOnly));
  }

  async #step(request: Pick<StepRequest, "acks" | "fail">, sealOnly: boolean): Promise<void> {
    if (sealOnly) this.#sealQueued = false;
    if (!this.#running) return;
    let result: StepResult;
    try {
      result = await this.#store.step({ ...request, seal: this.#sealInput(), now: Date.now() });
      for (const ack of request.acks ?? []) this.#recording.delete(ack);
    } catch (err) {
      this.#hooks.failure(toEdgelogError(err));
      // Nothing changed: try the same step again later.
      setTimeout(() => {
        if (sealOnly) this.wake(true);
        for (const ack of request.acks ?? []) this.#enqueue({ ack });
        if (request.fail) this.#enqueue({ fail: request.fail });
      }, this.#retry.next());
      return;
    }
    this.#retry.reset();
    if (request.fail) this.#lanes.settled(request.fail.batch);
    this.#hooks.progress(result);
    if (result.deadLetters.length > 0) this.#hooks.deadLetters(result.deadLetters);
    this.#lanes.accept(result.sealed);
    // A backlog is sealed in bounded steps, the next while the first batches fly.
    if (result.scanLimited && result.sealed.length > 0) this.#enqueue({});
    if (result.unknownTopics.length > 0) for (const topic of result.unknownTopics) void this.#learn(topic);
    const settledSomething = request.acks?.length || request.fail || result.deadLetters.length > 0;
    if (settledSomething && result.counters.records === 0) this.#hooks.synced();
  }

  #sealInput(): SealInput {
    for (const topic of this.#metadata.stale(Date.now())) void this.#learn(topic);
    const { maxBatchRecords, maxBatchBytes } = this.#options;
    const input: SealInput = {
      identity: this.#identity!,
      topics: this.#metadata.topics(),
      maxBatchRecords,
      maxBatchBytes: this.#hidden ? Math.min(maxBatchBytes, KEEPALIVE_BUDGET) : maxBatchBytes,
      maxSealedPerPartition: this.#options.maxSealedPerPartition ?? 4,
      scanLimit: Math.min(4 * maxBatchRecords, 20_000),
      pickKeyless: (_topic, partitions, free) => {
        for (let i = 0; i < partitions; i++) {
          const p = this.#sticky.nextBatch(partitions);
          if (free(p)) return p;
        }
        return undefined;
      },
    };
    const refused = this.#metadata.takeRefused();
    if (refused) input.failTopics = refused;
    return input;
  }

  /** Learns a topic's metadata, then seals again. */
  async #learn(topic: string): Promise<void> {
    await this.#metadata.settle(topic, this.#stop.signal);
    this.wake(true);
  }

  /** A final answer for a batch: the bus wrote nothing for this request. */
  async #refused(batch: SealedBatch, error: EdgelogError): Promise<void> {
    if (error.code === "UNKNOWN_TOPIC_OR_PARTITION") this.#metadata.forget(batch.topic);
    if (error.code === "PRODUCER_FENCED" || error.code === "OUT_OF_ORDER_SEQUENCE") {
      // The bus's state for this producer is not what the outbox knows (a
      // newer epoch wrote there, or the partition lost its producer state):
      // a new epoch starts every partition over at seq 0.
      try {
        this.#identity = await this.#store.nextEpoch((error.details.currentEpoch ?? -1) + 1);
      } catch (err) {
        this.#hooks.failure(toEdgelogError(err));
      }
    }
    this.#enqueue({ fail: { batch: withoutBody(batch), error: error.toJSON() } });
  }
}
