/**
 * @module
 * The drain engine: what the leader runs to move the outbox to the bus,
 * whatever the store. Its loop is
 *
 *   seal (one transaction) → POST with the sealed tuple → ack + seal more (one transaction)
 *
 * Each partition is a lane: its sealed batches go on the wire one at a time,
 * in (epoch, seq) order, the next as soon as the bus acknowledged the one
 * before; lanes run in parallel. A sealed batch is resent with its tuple
 * until the bus answers for it, so a retry after a timeout, a reload or a
 * crash is deduplicated by the bus. Only retriable failures are retried
 * (full-jitter backoff, Retry-After honoured, cut short when the browser
 * comes back online); a final refusal moves the batch to the dead letters
 * and unseals the lane's later batches (never sent), which are sealed again
 * from the seq the refused one leaves free.
 */

import { StickyPartitioner } from "../../protocol/partitioner.ts";
import { Backoff, sleep, type BackoffOptions } from "../backoff.ts";
import { EdgelogError, toEdgelogError } from "../errors.ts";
import { KEEPALIVE_BUDGET, type BusHttp } from "../http.ts";
import type { DeadLetter, Identity, OutboxStore, SealInput, SealedBatch, SealedBatchInfo, StepRequest, StepResult } from "../outbox/types.ts";
import type { TopicMetadata } from "./metadata.ts";
import type { NetworkState } from "./network.ts";
import { partitionKey } from "./plan.ts";

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

interface Flight {
  batch: SealedBatch;
  backoff: Backoff;
  /** The request on the wire is a keep-alive one: it outlives the page. */
  keepalive: boolean;
  /** Sent again with keepalive when the page was hidden for good. */
  beaconed: boolean;
  /**
   * A keep-alive attempt failed on the network: the browser may refuse
   * keep-alive requests past its own budget (which the app's requests share),
   * so retries go without.
   */
  plain: boolean;
}

/** One partition's sealed batches, in wire order; the first one is on the wire. */
interface Lane {
  queue: SealedBatch[];
  flight: Flight | undefined;
  /** A refusal is being settled: batches sealed until then are unsealed by it. */
  resetting: boolean;
}

export class DrainEngine {
  readonly #store: OutboxStore;
  readonly #http: BusHttp;
  readonly #network: NetworkState;
  readonly #metadata: TopicMetadata;
  readonly #options: EngineOptions;
  readonly #hooks: EngineHooks;
  readonly #sticky = new StickyPartitioner();
  readonly #lanes = new Map<string, Lane>();
  readonly #stop = new AbortController();
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
    this.#http = http;
    this.#network = network;
    this.#metadata = metadata;
    this.#options = options;
    this.#hooks = hooks;
    this.#retry = new Backoff(options.backoff);
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
    this.#accept(sealed);
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

  /**
   * The page is going away: every sealed batch whose request would die with
   * it goes out once more with `keepalive`, same tuple, within the budget.
   */
  pageHide(): void {
    // Offline, nothing is tried (network.ts): the records stay for the next page.
    if (!this.#network.linkUp) return;
    for (const { flight } of this.#lanes.values()) {
      if (!flight || flight.keepalive || flight.beaconed) continue;
      const { topic, partition, body } = flight.batch;
      flight.beaconed = this.#http.beacon(topic, partition, body, flight.batch);
    }
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
    if (request.fail) this.#lane(request.fail.batch).resetting = false;
    this.#hooks.progress(result);
    if (result.deadLetters.length > 0) this.#hooks.deadLetters(result.deadLetters);
    this.#accept(result.sealed);
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

  #lane(batch: { topic: string; partition: number }): Lane {
    const key = partitionKey(batch.topic, batch.partition);
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = { queue: [], flight: undefined, resetting: false }));
    return lane;
  }

  /** Queues newly sealed batches on their lanes (they come in wire order) and starts idle lanes. */
  #accept(batches: SealedBatch[]): void {
    const touched = new Set<Lane>();
    for (const batch of batches) {
      const lane = this.#lane(batch);
      if (lane.resetting) continue; // the pending refusal unseals it
      lane.queue.push(batch);
      touched.add(lane);
    }
    for (const lane of touched) if (!lane.flight) this.#fly(lane);
  }

  #fly(lane: Lane): void {
    const batch = lane.queue[0];
    if (!batch || !this.#running) return;
    lane.flight = { batch, backoff: new Backoff(this.#options.backoff), keepalive: false, beaconed: false, plain: false };
    void this.#send(lane, lane.flight);
  }

  /** Sends a lane's first batch until the bus answers for it. */
  async #send(lane: Lane, flight: Flight): Promise<void> {
    const { batch } = flight;
    const signal = this.#stop.signal;
    for (;;) {
      await this.#network.whenLinkUp(signal);
      if (!this.#running) return;
      let error: EdgelogError;
      // Keep-alive whenever it fits: a request already on the wire then survives the page.
      flight.keepalive = !flight.plain && this.#http.fitsKeepalive(batch.body);
      try {
        await this.#http.produce(batch.topic, batch.partition, batch.body, batch, { signal, keepalive: flight.keepalive });
        // Acknowledged by the bus: the next batch may go at once; the outbox catches up in order.
        lane.queue.shift();
        lane.flight = undefined;
        const ack = withoutBody(batch);
        this.#recording.add(ack);
        this.#enqueue({ ack });
        this.#fly(lane);
        this.#hooks.acknowledged();
        return;
      } catch (err) {
        error = toEdgelogError(err, "NETWORK_ERROR");
        if (flight.keepalive && error.code === "NETWORK_ERROR") flight.plain = true;
      } finally {
        flight.keepalive = false;
      }
      if (!this.#running) return;
      if (error.retriable) {
        await this.#pause(flight.backoff, error);
        continue;
      }
      // Its later batches were never sent: the refusal's step unseals them.
      lane.queue = [];
      lane.flight = undefined;
      lane.resetting = true;
      await this.#refused(batch, error);
      return;
    }
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

  async #pause(backoff: Backoff, error: EdgelogError): Promise<void> {
    const retryAfter = error.details.retryAfter;
    const delay = backoff.next(retryAfter === undefined ? undefined : retryAfter * 1000);
    const done = new AbortController();
    await sleep(delay, { signal: this.#stop.signal, wake: this.#network.nextLinkUp(done.signal) });
    done.abort();
  }
}

/** What a step needs of a batch: its tuple and ids, not its body. */
function withoutBody({ body: _, ...info }: SealedBatch): SealedBatchInfo {
  return info;
}
