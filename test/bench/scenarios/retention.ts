/**
 * @module
 * Produce while retention and compaction run, against produce without
 * them. Keyed 1,000-record batches (250 distinct keys) go to two
 * one-partition topics in turn. "Maintained": one topic keeps 5 s and 2 MiB,
 * so its leader deletes segments as fast as they fill; the other is
 * compacted, so its leader updates the key index with every append and
 * rewrites every segment that closes. "Plain": the same requests to two
 * topics that keep everything.
 */

import { send } from "../http.ts";
import { JSON_HEADERS, RECORD_BYTES } from "../payload.ts";
import type { Scenario } from "../scenario.ts";

const BATCH = 1000;
const KEYS = 250;

const TOPICS = {
  maintained: [
    { name: "bench-retained", config: { retentionMs: 5_000, retentionBytes: 2 * 1024 * 1024 } },
    { name: "bench-compacted", config: { cleanupPolicy: "compact", deleteRetentionMs: 0 } },
  ],
  plain: [
    { name: "bench-kept-a", config: { retentionMs: -1 } },
    { name: "bench-kept-b", config: { retentionMs: -1 } },
  ],
} as const;

/** The subject and the reference of the retention target, at one concurrency. */
export function retentionScenarios(concurrency: number): Scenario[] {
  return (["maintained", "plain"] as const).map((kind) => {
    const topics = TOPICS[kind].map((t) => ({ ...t, name: `${t.name}-c${concurrency}` }));
    return {
      id: retentionScenarioId(kind, concurrency),
      label: `produce, 1,000 keyed records, ${kind === "maintained" ? "retention + compaction running" : "no retention"}`,
      concurrency,
      recordsPerRequest: BATCH,
      async setup(ctx) {
        for (const t of topics) {
          await send(`${ctx.url}/v1/topics/${t.name}`, { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify(t.config) });
        }
      },
      worker(ctx, index) {
        const urls = topics.map((t) => `${ctx.url}/v1/topics/${t.name}/records`);
        let turn = index;
        return async () => {
          await send(urls[turn++ % urls.length]!, { method: "POST", headers: JSON_HEADERS, body: keyedBody() });
          return BATCH;
        };
      },
    };
  });
}

export function retentionScenarioId(kind: "maintained" | "plain", concurrency: number): string {
  return `produce-${kind}-c${concurrency}`;
}

let body: string | undefined;

/** 1,000 records with keys cycling through 250 users, each value RECORD_BYTES bytes of JSON. */
function keyedBody(): string {
  const value = JSON.stringify("retention bench ".padEnd(RECORD_BYTES - 2, "r"));
  body ??= `{"records":[${Array.from({ length: BATCH }, (_, i) => `{"key":"user-${i % KEYS}","value":${value}}`).join(",")}]}`;
  return body;
}
