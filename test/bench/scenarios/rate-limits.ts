/**
 * @module
 * What the rate limiter costs on this machine. The bus under test runs with
 * `EDGELOG_RATE_LIMITS=off`: Miniflare simulates Cloudflare's rate-limiting
 * binding with a call into another worker and a JSON round trip per request,
 * a cost the deployed binding (answered on the same machine, cached) does
 * not have, and one the floors beneath produce do not pay. These rows run
 * the same produce on a second bus with the limiter on, beside the rows
 * without, so the price stays visible.
 */

import { createTopic, send } from "../http.ts";
import { onDemand } from "../on-demand.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import { count, type Scenario } from "../scenario.ts";
import { startBus } from "../../support/bus.ts";

const COLUMN = "edgelog, rate limits on";

export function rateLimitedScenarios(batches: readonly number[], concurrency: number): Scenario[] {
  const bus = onDemand(async () => {
    const b = await startBus({ vars: { EDGELOG_BENCH: "1", EDGELOG_RATE_LIMITS: "standard" } });
    return { url: b.url, stop: () => b.dispose() };
  });
  let url = "";
  return batches.map((batch) => {
    const id = `produce-b${batch}-c${concurrency}-rate-limited`;
    const topic = `bench-${id}`;
    const body = produceBody(batch);
    return {
      id,
      label: `produce, ${count(batch)}-record batches, rate limits on`,
      concurrency,
      recordsPerRequest: batch,
      beside: { row: `produce-b${batch}-c${concurrency}`, column: COLUMN },
      async setup() {
        url = (await bus.get()).url;
        await createTopic(url, topic);
      },
      worker: () => async () => {
        await send(`${url}/v1/topics/${topic}/records`, { method: "POST", headers: JSON_HEADERS, body });
        return batch;
      },
    };
  });
}

export function rateLimitsMethod(): string {
  return "The bus under test runs with `EDGELOG_RATE_LIMITS=off`. Locally, Miniflare answers the rate-limiting binding from another worker over a JSON call per request (about 0.5–1 ms of CPU each on this machine), which the deployed binding does not cost and the floors do not pay; the column “edgelog, rate limits on” is the same produce through a second bus with the limiter on.";
}
