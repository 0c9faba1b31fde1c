/**
 * @module
 * The topics as the dashboard sees them, polled while the tab is visible:
 * each topic's description and its throughput in records per second, taken
 * from high-watermark deltas between two polls (offsets are contiguous, so
 * the delta is exactly the records appended). Keeps the last minutes of
 * rates for the throughput chart, whichever page is open.
 */

import type { EdgelogError, PartitionDescription, TopicConfig } from "../../src/index.ts";
import { every, mapLimit } from "./poll.ts";
import type { Session } from "./session.ts";

interface TopicView {
  name: string;
  topicId: string;
  config: TopicConfig;
  partitions: PartitionDescription[];
  records: number;
  bytes: number;
  /** Sum of the partitions' high watermarks. */
  highWatermark: number;
  /** Records per second since the previous poll; null on the first. */
  rate: number | null;
}

interface RateSample {
  /** Seconds since the epoch (uPlot's x axis). */
  at: number;
  rates: Map<string, number>;
}

const INTERVAL_MS = 2_000;
/** How much history the throughput chart shows. */
export const HISTORY_MS = 10 * 60_000;
const DESCRIBE_CONCURRENCY = 2;

export class TopicMonitor {
  topics: TopicView[] = [];
  readonly history: RateSample[] = [];
  /** The last poll's failure, cleared by the next success. */
  error: EdgelogError | undefined;
  /** Whether at least one poll has finished. */
  loaded = false;
  readonly #session: Session;
  readonly #listeners = new Set<() => void>();
  readonly #previous = new Map<string, { topicId: string; highWatermark: number; at: number }>();
  #polling: Promise<void> | undefined;

  constructor(session: Session) {
    this.#session = session;
  }

  start(signal: AbortSignal): void {
    every(INTERVAL_MS, signal, () => this.refresh());
  }

  /** Polls now (after a create or a change), sharing a poll already under way. */
  refresh(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  subscribe(listener: () => void, signal: AbortSignal): void {
    this.#listeners.add(listener);
    signal.addEventListener("abort", () => this.#listeners.delete(listener));
  }

  async #poll(): Promise<void> {
    const admin = this.#session.client.admin;
    try {
      const { topics } = await admin.listTopics();
      const described = await mapLimit(topics, DESCRIBE_CONCURRENCY, (t) => admin.describeTopic(t.name).catch(() => undefined));
      const at = Date.now();
      const views: TopicView[] = [];
      for (const d of described) {
        if (!d) continue; // deleted between the list and the describe
        const highWatermark = sum(d.partitions.map((p) => p.highWatermark));
        const before = this.#previous.get(d.name);
        const rate = before && before.topicId === d.topicId && at > before.at ? Math.max(0, ((highWatermark - before.highWatermark) * 1000) / (at - before.at)) : null;
        this.#previous.set(d.name, { topicId: d.topicId, highWatermark, at });
        views.push({
          name: d.name,
          topicId: d.topicId,
          config: d.config,
          partitions: d.partitions,
          records: sum(d.partitions.map((p) => p.records)),
          bytes: sum(d.partitions.map((p) => p.bytes)),
          highWatermark,
          rate,
        });
      }
      for (const name of this.#previous.keys()) if (!views.some((v) => v.name === name)) this.#previous.delete(name);
      this.topics = views;
      this.error = undefined;
      this.#record(at, views);
    } catch (err) {
      this.error = err as EdgelogError;
    }
    this.loaded = true;
    for (const listener of this.#listeners) listener();
  }

  #record(at: number, views: TopicView[]): void {
    const rates = new Map(views.filter((v) => v.rate !== null).map((v) => [v.name, v.rate!]));
    if (rates.size === 0 && views.length > 0) return; // the first poll has no deltas yet
    this.history.push({ at: at / 1000, rates });
    while (this.history.length > 0 && this.history[0]!.at < (at - HISTORY_MS) / 1000) this.history.shift();
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
