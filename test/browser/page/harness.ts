/**
 * @module
 * What the browser tests drive inside the page: the real package entry,
 * bundled by esbuild, plus small helpers that keep every record and event
 * in the page so the tests can read them back after the fact.
 */

import { createClient, type Client, type Consumer, type JsonValue } from "../../../src/index.ts";
import type { ConsumedEntry, Harness, Outcome, ProduceRequest, ProduceResult, RecordedEvent } from "./api.ts";

let client: Client | undefined;
let consumer: Consumer | undefined;
let consuming: Promise<void> | undefined;
const recorded: RecordedEvent[] = [];
const CONSUMED_KEY = "edgelog-test:consumed";
const LOAD_KEY = "edgelog-test:load";
const load = Number(sessionStorage.getItem(LOAD_KEY) ?? 0) + 1;
sessionStorage.setItem(LOAD_KEY, String(load));

function consumedEntries(): ConsumedEntry[] {
  return JSON.parse(localStorage.getItem(CONSUMED_KEY) ?? "[]") as ConsumedEntry[];
}

function outcome(err: unknown): Outcome {
  const e = err as { code?: string; message?: string; details?: Record<string, unknown>; records?: unknown[] };
  return { ok: false, code: e.code, message: e.message, details: e.details, records: e.records?.length };
}

function values(request: ProduceRequest, start: number, end: number): { key: string; value: JsonValue }[] {
  const out = [];
  for (let n = start; n < end; n++) {
    const key = `${request.prefix}-k${n % request.keys}`;
    const value: Record<string, JsonValue> = { key, n, tab: request.prefix };
    if (request.pad) value.pad = noise(request.pad);
    out.push({ key, value });
  }
  return out;
}

/** Incompressible text: browsers compress large IndexedDB values, and quotas count what is stored. */
function noise(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil((length * 3) / 4)));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).slice(0, length);
}

const harness: Harness = {
  start(options) {
    client = createClient(options);
    for (const type of ["online", "offline", "synced", "error", "dropped"] as const) {
      client.on(type, (event) => {
        const e = event as { type: string; count?: number; reason?: string; total?: number; error?: { code: string }; records?: { id: number }[] };
        recorded.push({ type: e.type, count: e.count, reason: e.reason, total: e.total, code: e.error?.code, ids: e.records?.map((r) => r.id) });
      });
    }
  },

  async produce(request) {
    const producer = client!.producer({ topic: request.topic });
    const result: ProduceResult = { ids: [], failures: [] };
    const from = request.from ?? 0;
    const chunk = request.chunk ?? 10;
    for (let n = from; n < from + request.count; n += chunk) {
      const batch = values(request, n, Math.min(n + chunk, from + request.count));
      try {
        result.ids.push(...(await producer.send(batch)).ids);
      } catch (err) {
        result.failures.push({ code: (err as { code: string }).code, n });
      }
      if (request.jitterMs) await new Promise((r) => setTimeout(r, Math.random() * request.jitterMs!));
    }
    return result;
  },

  async produceBurst(request) {
    const producer = client!.producer({ topic: request.topic });
    const from = request.from ?? 0;
    const sends = values(request, from, from + request.count).map((record) => producer.send(record));
    const settled = await Promise.allSettled(sends);
    const result: ProduceResult = { ids: [], failures: [] };
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") result.ids.push(...s.value.ids);
      else result.failures.push({ code: (s.reason as { code: string }).code, n: from + i });
    });
    return result;
  },

  async flush(timeoutMs) {
    try {
      await client!.flush({ timeoutMs });
      return { ok: true };
    } catch (err) {
      return outcome(err);
    }
  },

  stats: () => client!.stats(),
  events: () => recorded,

  async track(topic, name, properties) {
    try {
      await client!.tracker({ topic })(name, properties);
      return { ok: true };
    } catch (err) {
      return outcome(err);
    }
  },

  consume({ processMs = 0, ...options }) {
    consumer = client!.consumer(options);
    const c = consumer;
    consuming = (async () => {
      for await (const record of c) {
        // Processing: the record is kept for good; the consumer stores its position when the loop asks for the next.
        if (processMs > 0) await new Promise((r) => setTimeout(r, processMs));
        const entries = consumedEntries();
        entries.push({ load, partition: record.partition, offset: record.offset, value: record.value });
        localStorage.setItem(CONSUMED_KEY, JSON.stringify(entries));
      }
    })();
  },

  consumed: () => consumedEntries(),
  load: () => load,

  async stopConsuming() {
    await consumer?.close();
    await consuming;
  },

  async close() {
    await client?.close();
  },
};

(globalThis as unknown as { harness: Harness }).harness = harness;
