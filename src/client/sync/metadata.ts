/**
 * @module
 * What the engine must know about a topic before sealing for it: its
 * partition count (the partitioner needs it) and maxMessageBytes (a record
 * the bus would refuse is dead-lettered alone instead of failing its batch).
 * Cached with a time to live, like Kafka's metadata.max.age.ms, so added
 * partitions are picked up.
 */

import { Backoff, sleep, type BackoffOptions } from "../backoff.ts";
import type { ErrorInfo } from "../errors.ts";
import { toEdgelogError } from "../errors.ts";
import type { BusHttp } from "../http.ts";
import type { OutboxStore, TopicMeta } from "../outbox/types.ts";
import type { NetworkState } from "./network.ts";

interface MetadataOptions {
  http: BusHttp;
  network: NetworkState;
  /** How long an entry is trusted, ms. */
  ttlMs: number;
  backoff?: BackoffOptions;
  /** Where what is known is kept for the next session. */
  store: Pick<OutboxStore, "getMeta" | "setMeta">;
}

/** The outbox meta entry holding known topics. */
const STORE_KEY = "topicMetadata";

export class TopicMetadata {
  readonly #options: MetadataOptions;
  readonly #known = new Map<string, { meta: TopicMeta; at: number }>();
  readonly #loading = new Map<string, Promise<void>>();
  /** Topics the bus refused for good, until a seal has dead-lettered their records. */
  readonly #refused = new Map<string, ErrorInfo>();
  readonly #settling = new Map<string, Promise<void>>();

  constructor(options: MetadataOptions) {
    this.#options = options;
  }

  /** Takes what an earlier session learned, so sealing need not wait for the network. */
  async restore(): Promise<void> {
    const saved = await this.#options.store.getMeta(STORE_KEY);
    if (!saved || typeof saved !== "object") return;
    for (const [name, entry] of Object.entries(saved as Record<string, { meta: TopicMeta; at: number }>)) {
      if (!this.#known.has(name) && entry?.meta && Number.isInteger(entry.meta.partitions)) this.#known.set(name, entry);
    }
  }

  has(topic: string): boolean {
    return this.#known.has(topic);
  }

  topics(): Map<string, TopicMeta> {
    return new Map([...this.#known].map(([name, entry]) => [name, entry.meta]));
  }

  /** Topics whose entry is older than the time to live. */
  stale(now: number): string[] {
    return [...this.#known].filter(([, entry]) => now - entry.at > this.#options.ttlMs).map(([name]) => name);
  }

  /** Refusals to hand to the next seal, which dead-letters the topics' records. */
  takeRefused(): Map<string, ErrorInfo> | undefined {
    if (this.#refused.size === 0) return undefined;
    const refused = new Map(this.#refused);
    this.#refused.clear();
    return refused;
  }

  forget(topic: string): void {
    this.#known.delete(topic);
  }

  /**
   * Learns a topic's metadata, waiting for the link and backing off while
   * failures are retriable; resolves once it is known or refused for good
   * (or `signal` aborts). Concurrent calls share one.
   */
  settle(topic: string, signal: AbortSignal): Promise<void> {
    let settling = this.#settling.get(topic);
    if (!settling) {
      settling = this.#settle(topic, signal).finally(() => this.#settling.delete(topic));
      this.#settling.set(topic, settling);
    }
    return settling;
  }

  async #settle(topic: string, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.#options.backoff);
    while (!signal.aborted) {
      await this.#options.network.whenLinkUp(signal);
      try {
        await this.#learn(topic, signal);
        await this.#options.store.setMeta(STORE_KEY, Object.fromEntries(this.#known)).catch(() => {});
        return;
      } catch (err) {
        const error = toEdgelogError(err, "NETWORK_ERROR");
        if (!error.retriable) return;
        const wake = new AbortController();
        await sleep(backoff.next(), { signal, wake: this.#options.network.nextLinkUp(wake.signal) });
        wake.abort();
      }
    }
  }

  /**
   * Fetches a topic's metadata. A retriable failure rejects (the caller backs
   * off); a final one (the topic does not exist) is remembered as refused.
   */
  #learn(topic: string, signal?: AbortSignal): Promise<void> {
    let loading = this.#loading.get(topic);
    if (!loading) {
      loading = this.#options.http
        .describeTopic(topic, signal)
        .then(
          (d) => {
            this.#known.set(topic, { meta: { partitions: d.config.partitions, maxMessageBytes: d.config.maxMessageBytes }, at: Date.now() });
          },
          (err: unknown) => {
            const error = toEdgelogError(err, "NETWORK_ERROR");
            if (error.retriable || error.code === "ABORTED") throw error;
            this.#known.delete(topic);
            this.#refused.set(topic, error.toJSON());
          },
        )
        .finally(() => this.#loading.delete(topic));
      this.#loading.set(topic, loading);
    }
    return loading;
  }
}
