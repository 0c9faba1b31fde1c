/**
 * @module
 * Produce throughput and latency through the topic endpoint a client uses.
 * On one partition: keyless batches, the same bytes as the raw-insert floor.
 * On several: keyed records spread evenly over the partitions, so the worker
 * splits each batch and calls the leaders in parallel; the same keyed
 * records on one partition are the reference for what partitions add.
 */

import { createTopic, send } from "../http.ts";
import { JSON_HEADERS, keyedBodies, produceBody } from "../payload.ts";
import { count, type Scenario } from "../scenario.ts";

/** Keyless batches to a one-partition topic. */
export function produceScenario(batch: number, concurrency: number): Scenario {
  const body = produceBody(batch);
  return topicScenario(`produce-b${batch}-c${concurrency}`, `produce, ${count(batch)}-record batches`, batch, concurrency, 1, () => body);
}

/** Keyed batches spread over `partitions` partitions, shown beside the one-partition keyless row. */
export function spreadScenario(batch: number, concurrency: number, partitions: number): Scenario {
  const bodies = keyedBodies(batch, partitions);
  return {
    ...topicScenario(
      keyedScenarioId(batch, concurrency, partitions),
      `produce, ${count(batch)}-record keyed batches, ${partitions} partitions`,
      batch,
      concurrency,
      partitions,
      (turn) => bodies[turn % bodies.length]!,
    ),
    beside: { row: `produce-b${batch}-c${concurrency}`, column: `edgelog, ${partitions} partitions` },
  };
}

/** The same keyed records as spreadScenario, all on one partition. */
export function keyedScenario(batch: number, concurrency: number): Scenario {
  const bodies = keyedBodies(batch, 8);
  const label = `produce, ${count(batch)}-record keyed batches, 1 partition`;
  return topicScenario(keyedScenarioId(batch, concurrency, 1), label, batch, concurrency, 1, (turn) => bodies[turn % bodies.length]!);
}

export function keyedScenarioId(batch: number, concurrency: number, partitions: number): string {
  return partitions === 1 ? `produce-keyed-b${batch}-c${concurrency}` : `produce-b${batch}-c${concurrency}-p${partitions}`;
}

function topicScenario(id: string, label: string, batch: number, concurrency: number, partitions: number, body: (turn: number) => string): Scenario {
  const topic = `bench-${id}`;
  return {
    id,
    label,
    concurrency,
    recordsPerRequest: batch,
    setup: (ctx) => createTopic(ctx.url, topic, partitions),
    worker(ctx, index) {
      const url = `${ctx.url}/v1/topics/${topic}/records`;
      // Workers start at different bodies, so concurrent one-record batches land on different partitions.
      let turn = index;
      return async () => {
        await send(url, { method: "POST", headers: JSON_HEADERS, body: body(turn++) });
        return batch;
      };
    },
  };
}

