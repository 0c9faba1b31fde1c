/**
 * @module
 * The part of a client every tab runs: it opens the outbox, appends to it,
 * stands for leader election, and — once elected — runs the drain engine.
 * Tabs talk over a BroadcastChannel: appenders wake the leader, the leader
 * reports progress (so any tab's flush can resolve) and relays the events
 * every tab should see.
 */

import { Appender } from "./appender.ts";
import { Backoff, sleep } from "./backoff.ts";
import { EdgelogError, toEdgelogError, type ErrorInfo } from "./errors.ts";
import { Emitter, type FailedRecord } from "./events.ts";
import { Flusher, type FlushOptions } from "./flush.ts";
import { hasWebLocks, linkUp, pageHidden, requestPersistence, watchPage } from "./environment.ts";
import { BusHttp } from "./http.ts";
import { TabChannel, type TabMessage } from "./leader/channel.ts";
import { SingleLeadership } from "./leader/single.ts";
import type { Leadership } from "./leader/types.ts";
import { WebLocksLeadership } from "./leader/web-locks.ts";
import { IndexedDbOutbox } from "./outbox/indexeddb.ts";
import { MemoryOutbox } from "./outbox/memory.ts";
import type { DeadLetter, OutboxLimits, OutboxStore } from "./outbox/types.ts";
import { decodeRecord } from "./records.ts";
import { DrainEngine, type EngineOptions } from "./sync/engine.ts";
import { TopicMetadata } from "./sync/metadata.ts";
import { NetworkState } from "./sync/network.ts";

/** Where the outbox lives: IndexedDB (browsers' default), memory (Node's default), or a file (Node). */
export type OutboxChoice = "indexeddb" | "memory" | { file: string };

interface CoreOptions {
  url: string;
  token?: string;
  name: string;
  outbox?: OutboxChoice;
  limits: OutboxLimits;
  engine: EngineOptions;
  requestTimeoutMs: number;
  metadataTtlMs: number;
  persist: boolean;
}

/** Kept out of bundlers' reach: the file outbox needs node:fs and never runs in a browser. */
const FILE_OUTBOX_MODULE = ["./outbox/file", "node.ts"].join(".");

export class Core {
  readonly events = new Emitter();
  readonly http: BusHttp;
  readonly network: NetworkState;
  readonly store: Promise<OutboxStore>;
  readonly appender: Appender;
  readonly #options: CoreOptions;
  #leadership: Leadership | undefined;
  #engine: DrainEngine | undefined;
  #channel: TabChannel | undefined;
  #unwatch: () => void = () => {};
  readonly #flusher = new Flusher();
  /** Topics this tab produces to. */
  readonly #topics = new Set<string>();
  #persisted: boolean | undefined;
  /** Records dropped for lack of storage, which the outbox could not count itself. */
  #unstoredDrops = 0;
  #closed = false;

  constructor(options: CoreOptions) {
    this.#options = options;
    this.network = new NetworkState(linkUp(), (online) => this.events.emit({ type: online ? "online" : "offline" }));
    this.http = new BusHttp({
      url: options.url,
      token: options.token,
      timeoutMs: options.requestTimeoutMs,
      onReachable: (reachable) => this.network.setReachable(reachable),
    });
    this.store = openStore(options.outbox, options.name);
    this.store.catch(() => {}); // surfaced by every call that needs the store
    this.appender = new Appender(this.store, options.limits, {
      appended: () => this.wakeLeader(),
      dropped: (eviction, reason, counters) =>
        this.#broadcast({
          type: "dropped",
          count: eviction.count,
          reason,
          total: counters.dropped + this.#unstoredDrops,
          firstId: eviction.firstId,
          lastId: eviction.lastId,
        }),
      refused: (count) => {
        // Nothing can be written (not even a counter): count them here.
        this.#unstoredDrops += count;
        void this.store.then(async (store) => {
          const total = (await store.counters()).dropped + this.#unstoredDrops;
          this.#broadcast({ type: "dropped", count, reason: "quota", total, firstId: 0, lastId: 0 });
        });
      },
    });
    void this.#init();
  }

  get isLeader(): boolean {
    return this.#leadership?.isLeader ?? false;
  }

  get persisted(): boolean | undefined {
    return this.#persisted;
  }

  get unstoredDrops(): number {
    return this.#unstoredDrops;
  }

  /** A producer for `topic` was made: the leader (if here, now or later) learns its metadata ahead of time. */
  prefetch(topic: string): void {
    this.#topics.add(topic);
    this.#engine?.prefetch(topic);
  }

  /** New records are in the outbox: wake the leader, here or in another tab. */
  wakeLeader(): void {
    if (this.#engine) this.#engine.wake();
    else this.#channel?.post({ type: "appended" });
  }

  async #init(): Promise<void> {
    let store: OutboxStore;
    try {
      store = await this.store;
    } catch (err) {
      this.events.emit({ type: "error", error: toEdgelogError(err), records: [] });
      return;
    }
    if (this.#closed) return;
    this.#channel = new TabChannel(`edgelog:${store.name}`, store.shared, (m) => this.#onMessage(m));
    this.#unwatch = watchPage({
      online: (up) => this.network.setLink(up),
      hidden: (hidden) => this.#engine?.setHidden(hidden),
      pageHide: () => this.#engine?.pageHide(),
    });
    this.#leadership = store.shared && hasWebLocks() ? new WebLocksLeadership(`edgelog:${store.name}`) : new SingleLeadership();
    this.#leadership.start(() => void this.#lead(store));
    if (this.#options.persist) this.#persisted = await requestPersistence();
  }

  async #lead(store: OutboxStore): Promise<void> {
    if (this.#closed) return;
    const metadata = new TopicMetadata({
      http: this.http,
      network: this.network,
      ttlMs: this.#options.metadataTtlMs,
      backoff: this.#options.engine.backoff,
      store,
    });
    const engine = new DrainEngine(store, this.http, this.network, metadata, this.#options.engine, {
      progress: (result) => {
        this.#flusher.progressed();
        this.#channel?.post({ type: "progress", counters: result.counters });
      },
      acknowledged: () => this.#flusher.progressed(),
      deadLetters: (letters) => {
        for (const letter of letters) this.#broadcast({ type: "error", error: letter.error, records: failedRecords(letter) });
      },
      synced: () => this.#broadcast({ type: "synced" }),
      failure: (error) => this.#broadcast({ type: "error", error: error.toJSON(), records: [] }),
    });
    engine.setHidden(pageHidden());
    // A leader that cannot start would hold the lock and drain nothing: keep trying.
    const backoff = new Backoff(this.#options.engine.backoff);
    while (!this.#closed) {
      try {
        await engine.start();
        break;
      } catch (err) {
        this.#broadcast({ type: "error", error: toInfo(err), records: [] });
        await sleep(backoff.next());
      }
    }
    if (this.#closed) return engine.stop();
    this.#engine = engine;
    for (const topic of this.#topics) engine.prefetch(topic);
  }

  /**
   * Resolves when every record appended before the call is acknowledged by
   * the bus; rejects if one of them was dead-lettered or dropped instead.
   */
  async flush(options?: FlushOptions): Promise<void> {
    const store = await this.store;
    await this.#flusher.flush(
      {
        store,
        appended: () => this.appender.idle(),
        urge: () => (this.#engine ? this.#engine.wake(true) : this.#channel?.post({ type: "flush" })),
        acknowledged: () => this.#engine?.acknowledged ?? [],
        closed: () => this.#closed,
      },
      options,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.appender.idle().catch(() => {});
    this.#closed = true;
    this.#engine?.stop();
    this.#leadership?.stop();
    this.#channel?.close();
    this.#unwatch();
    this.#flusher.progressed();
    await (await this.store.catch(() => undefined))?.close();
  }

  /** An event for this tab's listeners and every other tab's. */
  #broadcast(message: Extract<TabMessage, { type: "synced" | "error" | "dropped" }>): void {
    this.#deliver(message);
    this.#channel?.post(message);
  }

  #onMessage(message: TabMessage): void {
    switch (message.type) {
      case "appended":
        this.#engine?.wake();
        break;
      case "flush":
        this.#engine?.wake(true);
        break;
      case "progress":
        this.#flusher.progressed();
        break;
      default:
        this.#deliver(message);
    }
  }

  #deliver(message: Extract<TabMessage, { type: "synced" | "error" | "dropped" }>): void {
    if (message.type === "error") {
      const refs = message.records.map(({ id, topic }) => ({ id, topic }));
      this.events.emit({ type: "error", error: EdgelogError.fromJSON(message.error, refs), records: message.records });
      this.#flusher.progressed();
    } else if (message.type === "dropped") {
      this.#flusher.dropped(message);
      this.events.emit(message);
    } else {
      this.events.emit(message);
    }
  }
}

async function openStore(choice: OutboxChoice | undefined, name: string): Promise<OutboxStore> {
  if (choice === "memory") return new MemoryOutbox(name);
  if (typeof choice === "object") {
    const { FileOutbox } = (await import(/* @vite-ignore */ new URL(FILE_OUTBOX_MODULE, import.meta.url).href)) as {
      FileOutbox: { open(path: string, name: string): Promise<OutboxStore> };
    };
    return FileOutbox.open(choice.file, name);
  }
  if (typeof indexedDB === "undefined") {
    if (choice === "indexeddb") throw new EdgelogError("STORAGE_ERROR", "IndexedDB is not available here; use outbox: 'memory' or { file }");
    return new MemoryOutbox(name);
  }
  return IndexedDbOutbox.open(name);
}

export function failedRecords(letter: DeadLetter): FailedRecord[] {
  return letter.records.map((r) => {
    const record = decodeRecord(r.json);
    if (r.partition !== undefined) record.partition = r.partition;
    return { id: r.id, topic: letter.topic, record };
  });
}

function toInfo(err: unknown): ErrorInfo {
  return toEdgelogError(err).toJSON();
}
