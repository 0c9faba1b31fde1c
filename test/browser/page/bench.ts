/**
 * @module
 * The outbox benchmark's page side (test/bench/outbox.ts drives it): the
 * same 10,000 events appended three ways in one page — edgelog's `send()`,
 * workbox-background-sync's `Queue.pushRequest`, and one IndexedDB
 * transaction per event — then edgelog's drain of its outbox to the bus.
 */

import { Queue } from "workbox-background-sync";
import { createClient, type Client } from "../../../src/index.ts";

export interface BenchEvent {
  key: string;
  value: Record<string, string | number>;
}

export interface Timing {
  events: number;
  ms: number;
}

export interface OutboxBench {
  /**
   * The client as an app makes it at page load (online), having sent a
   * first event to each partition: it knows the topic's partitions and the
   * browser has the CORS preflights of its URLs cached, as in a running app.
   */
  edgelogSetup(busUrl: string, topic: string, partitions: number): Promise<void>;
  /** 10,000 `send()` calls made without awaiting each, as an app firing events would; then awaited together. */
  edgelogAppend(topic: string, events: BenchEvent[]): Promise<Timing>;
  /** From back online to `flush()` resolved: the outbox drained to the bus. */
  edgelogDrain(): Promise<Timing>;
  /** `pushRequest` called the same way: without awaiting each, then awaited together. */
  workboxAppend(busUrl: string, topic: string, events: BenchEvent[]): Promise<Timing>;
  /** The naive outbox: one readwrite transaction per event, issued the same way. */
  idbPerEvent(events: BenchEvent[]): Promise<Timing>;
}

let client: Client | undefined;
let drained = 0;

const bench: OutboxBench = {
  async edgelogSetup(busUrl, topic, partitions) {
    client = createClient({ url: busUrl, name: `bench-${crypto.randomUUID()}` });
    const producer = client.producer({ topic });
    await producer.send(Array.from({ length: partitions }, (_, partition) => ({ value: { event: "page_load" }, partition })));
    await client.flush();
    await new Promise((r) => setTimeout(r, 200));
  },

  async edgelogAppend(topic, events) {
    const producer = client!.producer({ topic });
    const started = performance.now();
    await Promise.all(events.map((e) => producer.send(e)));
    drained = events.length;
    return { events: events.length, ms: performance.now() - started };
  },

  async edgelogDrain() {
    const started = performance.now();
    await client!.flush();
    return { events: drained, ms: performance.now() - started };
  },

  async workboxAppend(busUrl, topic, events) {
    // A window has no service worker registration; the queue only needs one
    // to schedule replays, which this benchmark does not measure.
    (self as unknown as { registration?: object }).registration ??= {};
    const queue = new Queue(`bench-${crypto.randomUUID()}`, { forceSyncFallback: true, onSync: async () => {} });
    const url = `${busUrl}/v1/topics/${topic}/records`;
    const started = performance.now();
    await Promise.all(
      events.map((e) =>
        queue.pushRequest({
          request: new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [e] }) }),
        }),
      ),
    );
    return { events: events.length, ms: performance.now() - started };
  },

  async idbPerEvent(events) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(`bench-raw-${crypto.randomUUID()}`, 1);
      open.onupgradeneeded = () => open.result.createObjectStore("outbox", { autoIncrement: true });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const started = performance.now();
    await Promise.all(
      events.map(
        (e) =>
          new Promise<void>((resolve, reject) => {
            const tx = db.transaction("outbox", "readwrite");
            tx.objectStore("outbox").add(e);
            tx.oncomplete = () => resolve();
            tx.onabort = () => reject(tx.error);
          }),
      ),
    );
    const ms = performance.now() - started;
    db.close();
    return { events: events.length, ms };
  },
};

(globalThis as unknown as { outboxBench: OutboxBench }).outboxBench = bench;
