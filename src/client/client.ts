/**
 * @module
 * `createClient()`: the one object an app holds. It owns the outbox and its
 * sync (see core.ts), hands out producers, consumers and trackers, and emits
 * the client's events.
 */

import type { ProduceRecord } from "../protocol/types.ts";
import { Admin } from "./admin.ts";
import { Consumer, type ConsumerOptions } from "./consumer.ts";
import { Core, failedRecords, type OutboxChoice } from "./core.ts";
import type { FlushOptions } from "./flush.ts";
import { EdgelogError } from "./errors.ts";
import type { ClientEventType, FailedRecord, Listener } from "./events.ts";
import type { OutboxPolicy } from "./outbox/types.ts";
import { Producer, type ProducerOptions } from "./producer.ts";
import { createTracker, type Track, type TrackerOptions } from "./track.ts";
import { LongPollTransport, SseTransport } from "./transport.ts";

export interface ClientOptions {
  /** The bus, e.g. "https://bus.example.com" or "http://127.0.0.1:8787". */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Names the outbox: tabs with the same name share one (and one leader).
   * Defaults to the bus URL.
   */
  name?: string;
  /**
   * "indexeddb" (the browser default), "memory" (the default where there is
   * no IndexedDB, e.g. Node), or `{ file }`: a durable journal in Node.
   */
  outbox?: OutboxChoice;
  /** How long records wait to be batched, ms (default 20). */
  lingerMs?: number;
  /** Records per produce request (default 1,000; at most 10,000). */
  maxBatchRecords?: number;
  /** Bytes per produce request (default 512 KiB; at most 1 MiB). */
  maxBatchBytes?: number;
  /** Records the outbox may hold (default 100,000). */
  maxOutboxRecords?: number;
  /** Bytes the outbox may hold (default 50 MiB). */
  maxOutboxBytes?: number;
  /**
   * When the outbox is full: "drop-oldest" (default) evicts the oldest
   * records not yet sealed into a request, counts them and emits `dropped`;
   * "reject" makes `send()` reject with OUTBOX_FULL and stores nothing.
   */
  outboxPolicy?: OutboxPolicy;
  /** Per-request timeout, ms (default 30,000). */
  requestTimeoutMs?: number;
  /** Retry backoff: full jitter between 0 and min(capMs, baseMs·2^attempt). */
  backoff?: { baseMs?: number; capMs?: number };
  /** How long a topic's partition count is trusted, ms (default 300,000). */
  metadataTtlMs?: number;
  /** Ask the browser to keep the outbox under storage pressure (default true). */
  persist?: boolean;
}

export interface ClientStats {
  producerId: string | undefined;
  /** The outbox's current epoch (the leader's). */
  epoch: number | undefined;
  /** Whether this tab (or process) drains the outbox. */
  leader: boolean;
  online: boolean;
  /** The answer to `navigator.storage.persist()`; undefined where not asked or not available. */
  persisted: boolean | undefined;
  /** Records in the outbox, not yet acknowledged. */
  pending: number;
  pendingBytes: number;
  /** Records discarded by the outbox policy, ever. */
  dropped: number;
  /** Records moved to dead letters, ever. */
  deadLettered: number;
  /** Records acknowledged by the bus, ever. */
  acked: number;
}

/** Records the bus refused for good, kept until the app requeues or discards them. */
export interface DeadLetterInfo {
  id: number;
  topic: string;
  error: EdgelogError;
  records: FailedRecord[];
  /** When the records had been sent: the bus may hold them (see the error). */
  maybeDelivered: boolean;
  at: number;
}

export class Client {
  readonly #core: Core;
  /** Topics, groups and health: the admin API (needs an admin-capable token on a secured bus). */
  readonly admin: Admin;

  constructor(options: ClientOptions) {
    if (typeof options?.url !== "string" || !/^https?:\/\//.test(options.url)) {
      throw new EdgelogError("INVALID_REQUEST", "createClient needs the bus `url` (http:// or https://)");
    }
    const url = options.url.replace(/\/+$/, "");
    this.#core = new Core({
      url,
      token: options.token,
      name: options.name ?? url,
      outbox: options.outbox,
      limits: {
        maxRecords: options.maxOutboxRecords ?? 100_000,
        maxBytes: options.maxOutboxBytes ?? 50 * 1024 * 1024,
        policy: options.outboxPolicy ?? "drop-oldest",
      },
      engine: {
        lingerMs: options.lingerMs ?? 20,
        maxBatchRecords: Math.min(options.maxBatchRecords ?? 1_000, 10_000),
        maxBatchBytes: Math.min(options.maxBatchBytes ?? 512 * 1024, 1024 * 1024),
        backoff: options.backoff,
      },
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      metadataTtlMs: options.metadataTtlMs ?? 300_000,
      persist: options.persist ?? true,
    });
    this.admin = new Admin(this.#core.http);
  }

  /** @example client.on("error", ({ error, records }) => report(error, records)); */
  on<K extends ClientEventType>(type: K, listener: Listener<K>): () => void {
    return this.#core.events.on(type, listener);
  }

  off<K extends ClientEventType>(type: K, listener: Listener<K>): void {
    this.#core.events.off(type, listener);
  }

  producer(options: ProducerOptions): Producer {
    return new Producer(this.#core, options);
  }

  /** @example for await (const r of client.consumer({ topic: "clicks", from: "earliest" })) show(r); */
  consumer(options: ConsumerOptions): Consumer {
    const http = this.#core.http;
    const sse = (options.transport ?? "sse") === "sse" && typeof TextDecoderStream === "function";
    return new Consumer(this.#core.store, http, sse ? new SseTransport(http) : new LongPollTransport(http), options);
  }

  /** @example const track = client.tracker({ topic: "activity" }); track("signup", { plan: "pro" }); */
  tracker(options: TrackerOptions): Track {
    return createTracker(this.producer({ topic: options.topic }), this.#core.store, options);
  }

  /** Sends `records` to `topic` (a shortcut for `producer({ topic }).send(records)`). */
  send(topic: string, records: ProduceRecord | readonly ProduceRecord[]): ReturnType<Producer["send"]> {
    try {
      return this.producer({ topic }).send(records);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Resolves once everything stored before the call is acknowledged (see Producer.flush). */
  flush(options?: FlushOptions): Promise<void> {
    return this.#core.flush(options);
  }

  async stats(): Promise<ClientStats> {
    const store = await this.#core.store;
    const [counters, identity] = await Promise.all([store.counters(), store.identity()]);
    return {
      producerId: identity?.producerId,
      epoch: identity?.epoch,
      leader: this.#core.isLeader,
      online: this.#core.network.online,
      persisted: this.#core.persisted,
      pending: counters.records,
      pendingBytes: counters.bytes,
      dropped: counters.dropped + this.#core.unstoredDrops,
      deadLettered: counters.deadLettered,
      acked: counters.acked,
    };
  }

  async deadLetters(): Promise<DeadLetterInfo[]> {
    const letters = await (await this.#core.store).deadLetters();
    return letters.map((l) => {
      const records = failedRecords(l);
      return {
        id: l.id,
        topic: l.topic,
        error: EdgelogError.fromJSON(l.error, records.map(({ id, topic }) => ({ id, topic }))),
        records,
        maybeDelivered: l.tuple !== undefined && l.error.code === "PRODUCER_FENCED",
        at: l.at,
      };
    });
  }

  /** Puts dead-lettered records back in the outbox to be sent again; resolves with how many. */
  async requeueDeadLetters(ids?: number[]): Promise<number> {
    const count = await (await this.#core.store).requeueDeadLetters(ids);
    this.#core.wakeLeader();
    return count;
  }

  /** Forgets dead letters for good; resolves with how many records they held. */
  async discardDeadLetters(ids?: number[]): Promise<number> {
    return (await this.#core.store).discardDeadLetters(ids);
  }

  /** Stops syncing and releases the outbox (and leadership, for another tab to take). */
  close(): Promise<void> {
    return this.#core.close();
  }
}

/**
 * A client for the bus at `url`.
 *
 * @example
 * const client = createClient({ url: "https://bus.example.com" });
 * const clicks = client.producer({ topic: "clicks" });
 * await clicks.send({ key: userId, value: { x, y } }); // durable in IndexedDB
 * await clicks.flush(); // acknowledged by the bus, exactly once
 */
export function createClient(options: ClientOptions): Client {
  return new Client(options);
}
