/**
 * @module
 * A scenario's trials reduced to one row: throughput is the median over
 * trials; latency percentiles pool every request of every trial. The
 * per-trial numbers stay, in round order, for targets that compare rounds.
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
  trialRecordsPerSec: number[];
  trialRequestsPerSec: number[];
  trialP99Ms: number[];
  /** Record payload (values) in 10^6 bytes per second. */
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export function summarize(scenario: Scenario, trials: readonly Trial[]): Result {
  const latencies = trials.flatMap((t) => t.latenciesMs).sort((a, b) => a - b);
  const trialRecordsPerSec = trials.map((t) => (t.records * 1000) / t.elapsedMs);
  const trialRequestsPerSec = trials.map((t) => (t.requests * 1000) / t.elapsedMs);
  const recordsPerSec = median(trialRecordsPerSec);
  return {
    scenario,
    trials: trials.length,
    requestsPerSec: median(trialRequestsPerSec),
    recordsPerSec,
    trialRecordsPerSec,
    trialRequestsPerSec,
    trialP99Ms: trials.map((t) => percentile([...t.latenciesMs].sort((a, b) => a - b), 99)),
    mbPerSec: (recordsPerSec * RECORD_BYTES) / 1e6,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
