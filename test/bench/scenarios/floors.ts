/**
 * @module
 * The floors (worker/bench): what the same machine does with no edgelog work
 * at all. A no-op request through the worker, a no-op call into a Durable
 * Object, and the 1,000-record produce body stored as one SQLite row without
 * parsing. Produce is judged against the raw insert, which counts the 1,000
 * records its body holds.
 */

import { send } from "../http.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import type { BenchContext, Scenario } from "../scenario.ts";

const RAW_INSERT_RECORDS = 1000;

export function floorScenarios(concurrency: number): Scenario[] {
  const body = produceBody(RAW_INSERT_RECORDS);
  return [
    {
      id: `floor-noop-c${concurrency}`,
      label: "floor: no-op request (worker only)",
      concurrency,
      setup: requireBenchRoutes,
      worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/noop`), 0),
    },
    {
      id: `floor-do-noop-c${concurrency}`,
      label: "floor: no-op Durable Object call",
      concurrency,
      setup: requireBenchRoutes,
      worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/do-noop`), 0),
    },
    {
      id: `floor-raw-insert-c${concurrency}`,
      label: "floor: raw insert of the 1,000-record body",
      concurrency,
      recordsPerRequest: RAW_INSERT_RECORDS,
      setup: requireBenchRoutes,
      worker: (ctx) => async () => {
        await send(`${ctx.url}/v1/_bench/raw-insert`, { method: "POST", headers: JSON_HEADERS, body });
        return RAW_INSERT_RECORDS;
      },
    },
  ];
}

async function requireBenchRoutes(ctx: BenchContext): Promise<void> {
  const res = await fetch(`${ctx.url}/v1/_bench/noop`);
  await res.arrayBuffer();
  if (res.status === 404) throw new Error("the bus has no /v1/_bench routes: start it with EDGELOG_BENCH=1");
}
