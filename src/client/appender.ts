/**
 * @module
 * Group commit for `send()`: every record sent while a transaction is being
 * written waits for the next one, so a burst of sends (10,000 calls in a
 * loop) costs a handful of transactions, and each send resolves the moment
 * its own transaction is durable. Full outbox handling lives here too: the
 * policy's evictions and quota errors become `dropped` reports, and a
 * refusal never takes other sends of the same group down with it.
 */

import { EdgelogError, toEdgelogError } from "./errors.ts";
import type { DropReason } from "./events.ts";
import type { Counters, Eviction, NewRecord, OutboxLimits, OutboxStore } from "./outbox/types.ts";

/** Records per transaction: big enough to amortize, small enough to stay snappy. */
const MAX_GROUP_RECORDS = 5_000;
/** On a quota error, at least this share of the outbox is evicted before trying again. */
const QUOTA_EVICT_SHARE = 0.1;

interface Waiting {
  records: NewRecord[];
  resolve: (ids: number[]) => void;
  reject: (err: unknown) => void;
}

interface AppenderHooks {
  appended(counters: Counters): void;
  dropped(eviction: Eviction, reason: DropReason, counters: Counters): void;
  /** Records refused for lack of storage under "drop-oldest": they are the ones dropped. */
  refused(count: number): void;
}

export class Appender {
  readonly #store: Promise<OutboxStore>;
  readonly #limits: OutboxLimits;
  readonly #hooks: AppenderHooks;
  #queue: Waiting[] = [];
  #idle: Promise<void> = Promise.resolve();
  #writing = false;

  constructor(store: Promise<OutboxStore>, limits: OutboxLimits, hooks: AppenderHooks) {
    this.#store = store;
    this.#limits = limits;
    this.#hooks = hooks;
  }

  /** Resolves with the records' outbox ids once they are durable. */
  append(records: NewRecord[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        // A microtask later: every send() of the current task joins the first group.
        this.#idle = new Promise<void>((r) => queueMicrotask(r)).then(() => this.#drain());
      }
    });
  }

  /** Resolves once everything appended so far is settled. */
  idle(): Promise<void> {
    return this.#idle;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group: Waiting[] = [];
      let count = 0;
      while (this.#queue.length > 0 && (group.length === 0 || count + this.#queue[0]!.records.length <= MAX_GROUP_RECORDS)) {
        const next = this.#queue.shift()!;
        group.push(next);
        count += next.records.length;
      }
      await this.#write(group);
    }
    this.#writing = false;
  }

  async #write(group: Waiting[]): Promise<void> {
    try {
      const ids = await this.#commit(group.flatMap((w) => w.records));
      let at = 0;
      for (const w of group) {
        w.resolve(ids.slice(at, at + w.records.length));
        at += w.records.length;
      }
    } catch (err) {
      if (group.length > 1 && err instanceof EdgelogError && err.code === "OUTBOX_FULL") {
        // One send too many must not fail the others: give each its own answer.
        for (const w of group) await this.#write([w]);
        return;
      }
      for (const w of group) w.reject(err);
    }
  }

  async #commit(records: NewRecord[]): Promise<number[]> {
    const store = await this.#store;
    try {
      return this.#appended(await store.append(records, this.#limits));
    } catch (err) {
      if (!isQuotaError(err)) throw toEdgelogError(err);
    }
    // The browser's quota is below the configured bounds.
    if (this.#limits.policy === "drop-oldest") {
      try {
        // Make room as the policy says, once. (Chromium may not reclaim the
        // space at once, and refuses even this while over quota: then the
        // new records are the ones dropped, below.)
        const counters = await store.counters();
        const evicted = await store.evictOldest(Math.max(records.length, Math.ceil(counters.records * QUOTA_EVICT_SHARE)));
        if (evicted.count > 0) {
          this.#hooks.dropped(evicted, "quota", evicted.counters);
          return this.#appended(await store.append(records, this.#limits));
        }
      } catch (err) {
        if (!isQuotaError(err)) throw toEdgelogError(err);
      }
      this.#hooks.refused(records.length);
    }
    throw new EdgelogError("OUTBOX_FULL", "the browser's storage quota is exhausted; nothing was stored", {
      details: { reason: "quota" },
    });
  }

  #appended(result: { ids: number[]; evicted: Eviction; counters: Counters }): number[] {
    if (result.evicted.count > 0) this.#hooks.dropped(result.evicted, "outbox-full", result.counters);
    this.#hooks.appended(result.counters);
    return result.ids;
  }
}

function isQuotaError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "QuotaExceededError";
}
