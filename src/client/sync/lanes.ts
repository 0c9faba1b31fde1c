/**
 * @module
 * The drain's wire side: each partition is a lane whose sealed batches go
 * out one at a time, in (epoch, seq) order, the next as soon as the bus
 * acknowledged the one before; lanes run in parallel. A batch is resent
 * with its tuple until the bus answers for it (retriable failures back off
 * with full jitter, honour Retry-After, and are cut short when the browser
 * comes back online), so a retry after a timeout is deduplicated by the
 * bus. A final refusal empties its lane: the batches behind it were never
 * sent, and the engine unseals them when it records the refusal.
 */

import { Backoff, sleep, type BackoffOptions } from "../backoff.ts";
import { toEdgelogError, type EdgelogError } from "../errors.ts";
import type { BusHttp } from "../http.ts";
import type { SealedBatch, SealedBatchInfo } from "../outbox/types.ts";
import type { NetworkState } from "./network.ts";
import { partitionKey } from "./plan.ts";

export interface LaneHooks {
  /** The bus acknowledged `batch` (its lane has moved on). */
  acknowledged(batch: SealedBatchInfo): void;
  /** The bus refused `batch` for good; its lane takes nothing until `settled`. */
  refused(batch: SealedBatch, error: EdgelogError): Promise<void>;
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

export class Lanes {
  readonly #http: BusHttp;
  readonly #network: NetworkState;
  readonly #backoff: BackoffOptions | undefined;
  readonly #signal: AbortSignal;
  readonly #hooks: LaneHooks;
  readonly #lanes = new Map<string, Lane>();

  constructor(http: BusHttp, network: NetworkState, backoff: BackoffOptions | undefined, signal: AbortSignal, hooks: LaneHooks) {
    this.#http = http;
    this.#network = network;
    this.#backoff = backoff;
    this.#signal = signal;
    this.#hooks = hooks;
  }

  /** Queues newly sealed batches on their lanes (they come in wire order) and starts idle lanes. */
  accept(batches: SealedBatch[]): void {
    const touched = new Set<Lane>();
    for (const batch of batches) {
      const lane = this.#lane(batch);
      if (lane.resetting) continue; // the pending refusal unseals it
      lane.queue.push(batch);
      touched.add(lane);
    }
    for (const lane of touched) if (!lane.flight) this.#fly(lane);
  }

  /** The refusal of a batch of this lane is recorded: the lane takes batches again. */
  settled(batch: { topic: string; partition: number }): void {
    this.#lane(batch).resetting = false;
  }

  /**
   * The page is going away: every batch on the wire whose request would die
   * with it goes out once more with `keepalive`, same tuple, within the budget.
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

  #lane(batch: { topic: string; partition: number }): Lane {
    const key = partitionKey(batch.topic, batch.partition);
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = { queue: [], flight: undefined, resetting: false }));
    return lane;
  }

  #fly(lane: Lane): void {
    const batch = lane.queue[0];
    if (!batch || this.#signal.aborted) return;
    lane.flight = { batch, backoff: new Backoff(this.#backoff), keepalive: false, beaconed: false, plain: false };
    void this.#send(lane, lane.flight);
  }

  /** Sends a lane's first batch until the bus answers for it. */
  async #send(lane: Lane, flight: Flight): Promise<void> {
    const { batch } = flight;
    const signal = this.#signal;
    for (;;) {
      await this.#network.whenLinkUp(signal);
      if (signal.aborted) return;
      let error: EdgelogError;
      // Keep-alive whenever it fits: a request already on the wire then survives the page.
      flight.keepalive = !flight.plain && this.#http.fitsKeepalive(batch.body);
      try {
        await this.#http.produce(batch.topic, batch.partition, batch.body, batch, { signal, keepalive: flight.keepalive });
        // Acknowledged by the bus: the next batch may go at once; the outbox catches up in order.
        lane.queue.shift();
        lane.flight = undefined;
        this.#hooks.acknowledged(withoutBody(batch));
        this.#fly(lane);
        return;
      } catch (err) {
        error = toEdgelogError(err, "NETWORK_ERROR");
        if (flight.keepalive && error.code === "NETWORK_ERROR") flight.plain = true;
      } finally {
        flight.keepalive = false;
      }
      if (signal.aborted) return;
      if (error.retriable) {
        await this.#pause(flight.backoff, error);
        continue;
      }
      // Its later batches were never sent: the refusal's step unseals them.
      lane.queue = [];
      lane.flight = undefined;
      lane.resetting = true;
      await this.#hooks.refused(batch, error);
      return;
    }
  }

  async #pause(backoff: Backoff, error: EdgelogError): Promise<void> {
    const retryAfter = error.details.retryAfter;
    const delay = backoff.next(retryAfter === undefined ? undefined : retryAfter * 1000);
    const done = new AbortController();
    await sleep(delay, { signal: this.#signal, wake: this.#network.nextLinkUp(done.signal) });
    done.abort();
  }
}

/** What a step needs of a batch: its tuple and ids, not its body. */
export function withoutBody({ body: _, ...info }: SealedBatch): SealedBatchInfo {
  return info;
}
