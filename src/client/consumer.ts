/**
 * @module
 * A consumer: `for await (const record of consumer)` over a topic's
 * partitions, live. One loop per partition pulls chunks from the transport;
 * the iterator hands their records out, partition order kept. A record
 * counts as processed when the caller asks for the next one (or stops): only
 * then is offset + 1 stored as the partition's position, so a reload resumes
 * right after the last record the app finished with. With a `group`, the
 * consumer follows only the partitions the group assigns it, from the
 * group's committed offsets (see group-membership.ts).
 */

import { MAX_WAIT_MS } from "../protocol/limits.ts";
import type { ConsumedRecord, GroupAssignor } from "../protocol/types.ts";
import { Backoff, sleep } from "./backoff.ts";
import { EdgelogError, toEdgelogError } from "./errors.ts";
import { GroupMembership } from "./group-membership.ts";
import type { BusHttp } from "./http.ts";
import type { OutboxStore } from "./outbox/types.ts";
import { assertTopic } from "./records.ts";
import type { ConsumerTransport, StartPosition } from "./transport.ts";

export interface ConsumerOptions {
  topic: string;
  /**
   * Where to start when no position is stored for this consumer `id`:
   * "earliest", "latest" (the default, as Kafka's auto.offset.reset), an
   * offset, or the first record at or after `{ timestamp }`. It is also
   * where a partition restarts if its stored offset fell out of retention
   * (an offset or timestamp restarts from "earliest").
   */
  from?: StartPosition;
  /** Partitions to read; all of the topic's by default. */
  partitions?: number[];
  /** Names the stored positions; defaults to the topic. Two consumers with one id share positions. */
  id?: string;
  /** Store positions so a reload resumes (default true). */
  persist?: boolean;
  /** Long-poll wait per request, ms (default 25,000; the bus allows up to 30,000). */
  waitMs?: number;
  /** Records per request (default 500). */
  maxRecords?: number;
  /**
   * How records arrive: "sse" (one open request, records pushed as they are
   * committed; the default where the runtime can stream a response) or
   * "long-poll" (a request per page, waiting up to `waitMs`).
   */
  transport?: "sse" | "long-poll";
  signal?: AbortSignal;
  /**
   * Consume as a member of this consumer group: only the partitions the
   * group assigns, starting at the group's committed offsets (`from` where
   * none is committed). `partitions`, `id` and `persist` do not apply.
   */
  group?: string;
  /**
   * "auto" (the default) commits what was processed every
   * `autoCommitIntervalMs`, before a rebalance and on close; "manual" only
   * when `commit()` is called.
   */
  commit?: "auto" | "manual";
  /** Default 5,000 ms. */
  autoCommitIntervalMs?: number;
  /** How long the group waits for a silent member before giving its partitions away (1,000–300,000 ms; the bus defaults to 10,000). */
  sessionTimeoutMs?: number;
  /** How the group spreads partitions, if this consumer is its first member (default "sticky"). */
  assignor?: GroupAssignor;
}

/** A record as the consumer yields it: the stored record plus where it lives. */
export interface ConsumerRecord extends ConsumedRecord {
  topic: string;
  partition: number;
}

interface Chunk {
  partition: number;
  records: ConsumedRecord[];
  index: number;
  consumed: () => void;
}

export class Consumer implements AsyncIterableIterator<ConsumerRecord> {
  readonly topic: string;
  readonly #store: Promise<OutboxStore>;
  readonly #http: BusHttp;
  readonly #transport: ConsumerTransport;
  readonly #options: ConsumerOptions;
  readonly #id: string;
  readonly #stop = new AbortController();
  readonly #chunks: Chunk[] = [];
  /** Next offset per partition, as processed by the caller. */
  readonly #positions = new Map<number, number>();
  #wake: (() => void) | undefined;
  #error: EdgelogError | undefined;
  #last: { partition: number; offset: number } | undefined;
  #started = false;
  readonly #membership: GroupMembership | undefined;
  /** Per followed partition, what stops its loop (group mode: revoked partitions stop alone). */
  readonly #followers = new Map<number, AbortController>();
  #autoCommit: ReturnType<typeof setInterval> | undefined;
  #leaving: Promise<void> | undefined;

  constructor(store: Promise<OutboxStore>, http: BusHttp, transport: ConsumerTransport, options: ConsumerOptions) {
    assertTopic(options.topic);
    if (options.group !== undefined && (typeof options.group !== "string" || options.group === "")) {
      throw new EdgelogError("INVALID_REQUEST", "`group` must be a group name");
    }
    this.topic = options.topic;
    this.#store = store;
    this.#http = http;
    this.#transport = transport;
    this.#options = options;
    this.#id = options.id ?? options.topic;
    if (options.group !== undefined) {
      const auto = options.commit !== "manual";
      this.#membership = new GroupMembership(
        http,
        { group: options.group, topic: options.topic, sessionTimeoutMs: options.sessionTimeoutMs, assignor: options.assignor, commitOnRebalance: auto },
        {
          processed: () => this.#positions,
          assigned: (partitions, committed) => this.#assigned(partitions, committed),
          expelled: () => this.#expelled(),
          failed: (error) => this.#fail(error),
        },
      );
    }
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    if (options.signal?.aborted) this.#stop.abort();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next offset of each partition, as far as the caller has processed. */
  positions(): ReadonlyMap<number, number> {
    return new Map(this.#positions);
  }

  /**
   * Group mode: commits to the group offset + 1 of the last record handed
   * out, per owned partition. Rejects when the group refused (the partition
   * moved on to another member: a rebalance follows).
   */
  async commit(): Promise<void> {
    if (!this.#membership) throw new EdgelogError("INVALID_REQUEST", "commit() needs a consumer with a `group`");
    await this.#commitLast();
    await this.#membership.commit();
  }

  async next(): Promise<IteratorResult<ConsumerRecord, undefined>> {
    await this.#commitLast();
    if (!this.#started) {
      this.#started = true;
      void this.#start();
    }
    for (;;) {
      if (this.#error) {
        // Thrown once; the iteration is over after it.
        const error = this.#error;
        this.#error = undefined;
        this.#stop.abort();
        // What was handed out before the failure may not have been processed: leave it uncommitted.
        await this.#leave(false);
        throw error;
      }
      if (this.#stop.signal.aborted) return { done: true, value: undefined };
      const chunk = this.#chunks[0];
      if (chunk) {
        const record = chunk.records[chunk.index++]!;
        if (chunk.index >= chunk.records.length) {
          this.#chunks.shift();
          chunk.consumed();
        }
        this.#last = { partition: chunk.partition, offset: record.offset };
        return { done: false, value: { ...record, topic: this.topic, partition: chunk.partition } };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Ends the iteration (what `break` in a `for await` calls), storing the last position. */
  async return(): Promise<IteratorResult<ConsumerRecord, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    await this.#commitLast();
    this.#stop.abort();
    await this.#leave(this.#options.commit !== "manual");
    for (const chunk of this.#chunks.splice(0)) chunk.consumed();
    this.#notify();
  }

  /** Group mode, once: stop committing on the interval, commit if asked, and leave the group. */
  #leave(commit: boolean): Promise<void> {
    clearInterval(this.#autoCommit);
    // Closing ends the iteration either way; a failed leave only means the group expires us after the session.
    this.#leaving ??= this.#membership?.close(commit).catch(() => {}) ?? Promise.resolve();
    return this.#leaving;
  }

  async #commitLast(): Promise<void> {
    const last = this.#last;
    if (!last) return;
    this.#last = undefined;
    this.#positions.set(last.partition, last.offset + 1);
    if (this.#options.persist !== false && !this.#membership) await this.#savePosition(last.partition, last.offset + 1);
  }

  async #savePosition(partition: number, offset: number): Promise<void> {
    const store = await this.#store;
    await store.setPosition({ consumer: this.#id, topic: this.topic, partition }, offset);
  }

  async #start(): Promise<void> {
    try {
      if (this.#membership) {
        await this.#membership.start();
        const interval = this.#options.autoCommitIntervalMs ?? 5_000;
        if (this.#options.commit !== "manual" && !this.#stop.signal.aborted) {
          this.#autoCommit = setInterval(() => void this.#membership!.commit().catch(() => {}), interval);
        }
        return;
      }
      const partitions = this.#options.partitions ?? (await this.#partitionCount());
      await Promise.all(partitions.map((p) => this.#follow(p, this.#stop.signal)));
    } catch (err) {
      this.#fail(toEdgelogError(err, "NETWORK_ERROR"));
    }
  }

  async #partitionCount(): Promise<number[]> {
    const backoff = new Backoff();
    for (;;) {
      try {
        const topic = await this.#http.describeTopic(this.topic, this.#stop.signal);
        return Array.from({ length: topic.config.partitions }, (_, p) => p);
      } catch (err) {
        const error = toEdgelogError(err, "NETWORK_ERROR");
        if (!error.retriable || this.#stop.signal.aborted) throw error;
        await sleep(backoff.next(), { signal: this.#stop.signal });
      }
    }
  }

  /** The group's new assignment: stop what was revoked, start what is new from the committed offsets. */
  #assigned(partitions: number[], committed: ReadonlyMap<number, number>): void {
    for (const [partition, follower] of this.#followers) {
      if (!partitions.includes(partition)) this.#unfollow(partition, follower);
    }
    for (const partition of partitions) {
      if (this.#followers.has(partition) || this.#stop.signal.aborted) continue;
      const follower = new AbortController();
      const stop = () => follower.abort();
      this.#stop.signal.addEventListener("abort", stop, { once: true });
      this.#followers.set(partition, follower);
      const offset = committed.get(partition);
      if (offset !== undefined) this.#positions.set(partition, offset);
      this.#follow(partition, follower.signal, offset)
        .catch((err) => this.#fail(toEdgelogError(err, "NETWORK_ERROR")))
        .finally(() => this.#stop.signal.removeEventListener("abort", stop));
    }
  }

  /** Expelled: every partition is someone else's now, and what was not committed is theirs to redo. */
  #expelled(): void {
    for (const [partition, follower] of this.#followers) this.#unfollow(partition, follower);
    this.#last = undefined;
  }

  #unfollow(partition: number, follower: AbortController): void {
    follower.abort();
    this.#followers.delete(partition);
    this.#positions.delete(partition);
    if (this.#last?.partition === partition) this.#last = undefined;
    for (let i = this.#chunks.length - 1; i >= 0; i--) {
      const chunk = this.#chunks[i]!;
      if (chunk.partition !== partition) continue;
      this.#chunks.splice(i, 1);
      chunk.consumed();
    }
  }

  /** One partition's loop: chunks in, each handed out before the next is fetched. */
  async #follow(partition: number, signal: AbortSignal, committed?: number): Promise<void> {
    const { from = "latest", maxRecords = 500 } = this.#options;
    const waitMs = Math.min(this.#options.waitMs ?? 25_000, MAX_WAIT_MS);
    const persist = this.#options.persist !== false && !this.#membership;
    const stored = persist ? await (await this.#store).getPosition({ consumer: this.#id, topic: this.topic, partition }) : committed;
    let position: StartPosition = stored ?? from;
    let pinned = stored !== undefined;
    if (stored !== undefined && persist) this.#positions.set(partition, stored);
    const backoff = new Backoff();
    while (!signal.aborted) {
      try {
        for await (const chunk of this.#transport.open({ topic: this.topic, partition, from: position, maxRecords, waitMs, signal })) {
          backoff.reset();
          if (!pinned && persist) {
            // "latest" or a timestamp means where it was when the consumer first ran, not on every reload.
            const start = chunk.records[0]?.offset ?? chunk.nextOffset;
            await this.#savePosition(partition, start);
            pinned = true;
          }
          position = chunk.nextOffset;
          if (chunk.records.length > 0) await this.#hand(partition, chunk.records);
          if (signal.aborted) return;
        }
      } catch (err) {
        if (signal.aborted) return;
        const error = toEdgelogError(err, "NETWORK_ERROR");
        if (error.code === "OFFSET_OUT_OF_RANGE") {
          position = from === "latest" ? "latest" : "earliest";
          continue;
        }
        if (!error.retriable) throw error;
        const retryAfter = error.details.retryAfter;
        await sleep(backoff.next(retryAfter === undefined ? undefined : retryAfter * 1000), { signal });
      }
    }
  }

  /** Queues a chunk for the iterator; resolves when its last record was taken. */
  #hand(partition: number, records: ConsumedRecord[]): Promise<void> {
    return new Promise((consumed) => {
      this.#chunks.push({ partition, records, index: 0, consumed });
      this.#notify();
    });
  }

  #fail(error: EdgelogError): void {
    if (this.#stop.signal.aborted) return;
    this.#error = error;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
