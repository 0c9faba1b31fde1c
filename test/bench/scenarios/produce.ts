/**
 * @module
 * Produce throughput and latency: keyless batches of 100-byte records to a
 * one-partition topic (one partition leader), through the topic endpoint a
 * client uses.
 */

import { createTopic, send } from "../http.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import type { Scenario } from "../scenario.ts";

export function produceScenario(batch: number, concurrency: number): Scenario {
  const topic = `bench-produce-b${batch}-c${concurrency}`;
  const body = produceBody(batch);
  return {
    id: `produce-b${batch}-c${concurrency}`,
    label: `produce, ${batch.toLocaleString("en-US")}-record batches`,
    concurrency,
    recordsPerRequest: batch,
    setup: (ctx) => createTopic(ctx.url, topic),
    worker(ctx) {
      const url = `${ctx.url}/v1/topics/${topic}/records`;
      return async () => {
        await send(url, { method: "POST", headers: JSON_HEADERS, body });
        return batch;
      };
    },
  };
}
