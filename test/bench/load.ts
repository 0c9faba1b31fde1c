/**
 * @module
 * The load generator: `concurrency` workers, each sending its next request
 * as soon as the last one answered (a closed loop), until the trial's time
 * is up. Requests still in flight at the deadline finish and count; the
 * trial's time runs to the last answer.
 */

import { performance } from "node:perf_hooks";
import type { BenchContext, Scenario } from "./scenario.ts";

export interface Trial {
  requests: number;
  records: number;
  elapsedMs: number;
  /** One entry per request, in milliseconds. */
  latenciesMs: number[];
}

export async function runTrial(ctx: BenchContext, scenario: Scenario, durationMs: number): Promise<Trial> {
  const steps = Array.from({ length: scenario.concurrency }, (_, i) => scenario.worker(ctx, i));
  const latenciesMs: number[] = [];
  let records = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    steps.map(async (step) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        // Not `records += await step()`: that reads `records` before awaiting
        // and drops what other workers added meanwhile.
        const moved = await step();
        latenciesMs.push(performance.now() - sent);
        records += moved;
      }
    }),
  );
  return { requests: latenciesMs.length, records, elapsedMs: performance.now() - start, latenciesMs };
}
