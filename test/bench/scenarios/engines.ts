/**
 * @module
 * The two ways to run the bus on one machine, side by side: a no-op request
 * through the bus under test against the same request through a second bus
 * on the other engine (`wrangler dev` or the local engine, local/serve.ts),
 * started for these scenarios only. The rule: if the faster engine
 * wins by 2× or more, `npm start` uses it.
 */

import type { Engine } from "../../support/bus.ts";
import { startBus } from "../../support/bus.ts";
import { send } from "../http.ts";
import { onDemand } from "../on-demand.ts";
import type { Scenario } from "../scenario.ts";
import type { Target } from "../targets.ts";
import { requireBenchRoutes } from "./floors.ts";

/** What `npm start` runs; the comparison is phrased from its side. */
export const START_ENGINE: Engine = "local";
/** How many times faster the engine `npm start` runs must be. */
const REQUIRED = 2;

export const ENGINE_NAMES: Record<Engine, string> = { local: "the local engine", wrangler: "wrangler dev" };

export function otherEngine(engine: Engine): Engine {
  return engine === "local" ? "wrangler" : "local";
}

/** No-op requests through a second bus on the engine the run is not measuring. */
export function otherEngineScenarios(engine: Engine, concurrencies: readonly number[]): Scenario[] {
  const other = otherEngine(engine);
  const bus = onDemand(async () => {
    const b = await startBus({ engine: other, vars: { EDGELOG_BENCH: "1" } });
    return { url: b.url, stop: () => b.dispose() };
  });
  let url = "";
  return concurrencies.map((concurrency) => ({
    id: noopId(engine, other, concurrency),
    label: `floor: no-op request through ${ENGINE_NAMES[other]}`,
    concurrency,
    async setup(ctx) {
      url = (await bus.get()).url;
      await requireBenchRoutes({ ...ctx, url });
    },
    worker: () => async () => (await send(`${url}/v1/_bench/noop`), 0),
  }));
}

/** `npm start`'s engine against the other, in requests/s of the no-op floor. */
export function engineComparisons(engine: Engine, concurrencies: readonly number[]): Target[] {
  const other = otherEngine(START_ENGINE);
  return concurrencies.map((c) => ({
    label: `no-op request: ${ENGINE_NAMES[START_ENGINE]} vs ${ENGINE_NAMES[other]}, concurrency ${c}`,
    subject: noopId(engine, START_ENGINE, c),
    reference: noopId(engine, other, c),
    metric: "requests/s",
    required: REQUIRED,
  }));
}

/** The bus under test keeps the floor's own id; the second bus's scenarios name their engine. */
function noopId(measured: Engine, engine: Engine, concurrency: number): string {
  return measured === engine ? `floor-noop-c${concurrency}` : `floor-noop-${engine}-c${concurrency}`;
}
