/**
 * @module
 * A scenario's trials reduced to one row: throughput is the median over
 * trials; latency percentiles pool every request of every trial.
 */

import type { Trial } from "./load.ts";
import { RECORD_BYTES } from "./payload.ts";
import type { Scenario } from "./scenario.ts";
import { median, percentile } from "./stats.ts";

export interface Result {
  scenario: Scenario;
  trials: number;
  requestsPerSec: number;
  recordsPerSec: number;
  /** Records/s of each trial, in round order: targets compare rounds. */
  trialRecordsPerSec: number[];
  /** Record payload (values) in 10^6 bytes per second. */
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export function summarize(scenario: Scenario, trials: readonly Trial[]): Result {
  const latencies = trials.flatMap((t) => t.latenciesMs).sort((a, b) => a - b);
  const trialRecordsPerSec = trials.map((t) => (t.records * 1000) / t.elapsedMs);
  const recordsPerSec = median(trialRecordsPerSec);
  return {
    scenario,
    trials: trials.length,
    requestsPerSec: median(trials.map((t) => (t.requests * 1000) / t.elapsedMs)),
    recordsPerSec,
    trialRecordsPerSec,
    mbPerSec: (recordsPerSec * RECORD_BYTES) / 1e6,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
