/**
 * @module
 * The floors (worker/bench): what the same machine does with no edgelog work
 * at all. A no-op request through the worker, a no-op call into a Durable
 * Object, the 1,000-record produce body stored as one SQLite row without
 * parsing, and that row read back as the response. Produce is judged against
 * the raw insert; both raw floors count the 1,000 records the body holds.
 */

import { send } from "../http.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import type { BenchContext, Scenario } from "../scenario.ts";

const RAW_RECORDS = 1000;

export type Floor = "noop" | "do-noop" | "raw-insert" | "raw-read";

const FLOORS: Record<Floor, Omit<Scenario, "id" | "concurrency">> = {
  noop: {
    label: "floor: no-op request (worker only)",
    setup: requireBenchRoutes,
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/noop`), 0),
  },
  "do-noop": {
    label: "floor: no-op Durable Object call",
    setup: requireBenchRoutes,
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/do-noop`), 0),
  },
  "raw-insert": {
    label: "floor: raw insert of the 1,000-record body",
    recordsPerRequest: RAW_RECORDS,
    setup: requireBenchRoutes,
    worker: (ctx) => async () => {
      await send(`${ctx.url}/v1/_bench/raw-insert`, { method: "POST", headers: JSON_HEADERS, body: produceBody(RAW_RECORDS) });
      return RAW_RECORDS;
    },
  },
  "raw-read": {
    label: "floor: raw read of a stored 1,000-record body",
    recordsPerRequest: RAW_RECORDS,
    async setup(ctx) {
      await requireBenchRoutes(ctx);
      // The floor reads the latest raw-insert row: there must be one.
      await send(`${ctx.url}/v1/_bench/raw-insert`, { method: "POST", headers: JSON_HEADERS, body: produceBody(RAW_RECORDS) });
    },
    // Uncompressed, as the fetch scenario reads (see scenarios/fetch.ts).
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/raw-read`, { headers: { "accept-encoding": "identity" } }), RAW_RECORDS),
  },
};

export function floorScenarios(concurrency: number, floors: readonly Floor[] = ["noop", "do-noop", "raw-insert", "raw-read"]): Scenario[] {
  return floors.map((floor) => ({ ...FLOORS[floor], id: `floor-${floor}-c${concurrency}`, concurrency }));
}

export async function requireBenchRoutes(ctx: BenchContext): Promise<void> {
  const res = await fetch(`${ctx.url}/v1/_bench/noop`);
  await res.arrayBuffer();
  if (res.status === 404) throw new Error("the bus has no /v1/_bench routes: start it with EDGELOG_BENCH=1");
}
