/**
 * @module
 * A consumer: `for await (const record of consumer)` over a topic's
 * partitions, live. One loop per partition pulls chunks from the transport;
 * the iterator hands their records out, partition order kept. A record
 * counts as processed when the caller asks for the next one (or stops): only
 * then is offset + 1 stored as the partition's position, so a reload resumes
 * right after the last record the app finished with.
 */

import { MAX_WAIT_MS } from "../protocol/limits.ts";
import type { ConsumedRecord } from "../protocol/types.ts";
import { Backoff, sleep } from "./backoff.ts";
import { EdgelogError, toEdgelogError } from "./errors.ts";
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
   * Consumer groups (shared work, committed offsets, rebalancing) are
   * coming with the bus's group coordinator; until then this must be left out.
   */
  group?: never;
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

  constructor(store: Promise<OutboxStore>, http: BusHttp, transport: ConsumerTransport, options: ConsumerOptions) {
    assertTopic(options.topic);
    if ((options as { group?: unknown }).group !== undefined) {
      throw new EdgelogError("INVALID_REQUEST", "consumer groups are not available yet: leave `group` out");
    }
    this.topic = options.topic;
    this.#store = store;
    this.#http = http;
    this.#transport = transport;
    this.#options = options;
    this.#id = options.id ?? options.topic;
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
    for (const chunk of this.#chunks.splice(0)) chunk.consumed();
    this.#notify();
  }

  async #commitLast(): Promise<void> {
    const last = this.#last;
    if (!last) return;
    this.#last = undefined;
    this.#positions.set(last.partition, last.offset + 1);
    if (this.#options.persist !== false) await this.#savePosition(last.partition, last.offset + 1);
  }

  async #savePosition(partition: number, offset: number): Promise<void> {
    const store = await this.#store;
    await store.setPosition({ consumer: this.#id, topic: this.topic, partition }, offset);
  }

  async #start(): Promise<void> {
    try {
      const partitions = this.#options.partitions ?? (await this.#partitionCount());
      await Promise.all(partitions.map((p) => this.#follow(p)));
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

  /** One partition's loop: chunks in, each handed out before the next is fetched. */
  async #follow(partition: number): Promise<void> {
    const { from = "latest", maxRecords = 500 } = this.#options;
    const waitMs = Math.min(this.#options.waitMs ?? 25_000, MAX_WAIT_MS);
    const signal = this.#stop.signal;
    const persist = this.#options.persist !== false;
    const stored = persist ? await (await this.#store).getPosition({ consumer: this.#id, topic: this.topic, partition }) : undefined;
    let position: StartPosition = stored ?? from;
    let pinned = stored !== undefined;
    if (stored !== undefined) this.#positions.set(partition, stored);
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
