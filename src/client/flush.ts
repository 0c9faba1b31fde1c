/**
 * @module
 * `flush()`: wait until every record stored before the call is acknowledged
 * by the bus — whichever tab leads. It marks the highest outbox id at the
 * call, then re-checks the outbox each time progress is reported (by this
 * tab's engine or another tab's message), with a slow poll as a safety net
 * for a leader that died between two reports. Records of the mark that were
 * dead-lettered or dropped make it reject: it never resolves over a loss.
 */

import { EdgelogError, abortError } from "./errors.ts";
import type { ClientEventMap } from "./events.ts";
import type { ProducerTuple } from "./http.ts";
import type { DeadLetter, OutboxStore } from "./outbox/types.ts";

export interface FlushOptions {
  signal?: AbortSignal;
  /** Reject with TIMEOUT after this long. */
  timeoutMs?: number;
}

interface FlushContext {
  store: OutboxStore;
  /** Resolves once every send() made so far has its transaction settled. */
  appended(): Promise<void>;
  /** Asks the leader to seal now rather than after its linger time. */
  urge(): void;
  /** Batches the bus acknowledged that the outbox may not have recorded yet. */
  acknowledged(): readonly ProducerTuple[];
  closed(): boolean;
}

/** How often a waiting flush looks again without being told. */
const POLL_MS = 1_000;

export class Flusher {
  readonly #waiters = new Set<() => void>();
  readonly #dropWatchers = new Set<(event: ClientEventMap["dropped"]) => void>();

  /** Something settled (here or in another tab): waiting flushes look again. */
  progressed(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Records were dropped: flushes covering them reject. */
  dropped(event: ClientEventMap["dropped"]): void {
    for (const watch of this.#dropWatchers) watch(event);
  }

  async flush(context: FlushContext, options: FlushOptions = {}): Promise<void> {
    const { store } = context;
    const { signal, timeoutMs } = options;
    await context.appended();
    const mark = (await store.counters()).lastId;
    let dropped: EdgelogError | undefined;
    const watch = (e: ClientEventMap["dropped"]) => {
      // Records refused at the door (firstId 0) never were in the outbox: not this flush's business.
      if (e.firstId > 0 && e.firstId <= mark) {
        dropped ??= new EdgelogError("RECORDS_DROPPED", `${e.count} records were dropped (${e.reason}) before they were delivered`);
      }
    };
    this.#dropWatchers.add(watch);
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    try {
      context.urge();
      for (;;) {
        const progress = await store.progress(mark, context.acknowledged());
        if (progress.deadLetters.length > 0) throw undeliverable(progress.deadLetters);
        if (dropped) throw dropped;
        if (!progress.undelivered) return;
        if (signal?.aborted) throw abortError(signal);
        if (context.closed()) throw new EdgelogError("CLOSED", "the client was closed during flush()");
        const left = deadline - Date.now();
        if (left <= 0) throw new EdgelogError("TIMEOUT", `flush() did not complete within ${timeoutMs} ms`);
        await this.#next(Math.min(left, POLL_MS), signal);
      }
    } finally {
      this.#dropWatchers.delete(watch);
    }
  }

  #next(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** A flush's failure: the dead letters among its records, named. */
function undeliverable(letters: DeadLetter[]): EdgelogError {
  const first = letters[0]!.error;
  const records = letters.flatMap((l) => l.records.map((r) => ({ id: r.id, topic: l.topic })));
  return new EdgelogError(first.code, `${records.length} records could not be delivered: ${first.message}`, {
    status: first.status,
    retriable: false,
    details: first.details,
    records,
  });
}
