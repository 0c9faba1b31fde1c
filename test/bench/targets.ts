/**
 * @module
 * Targets as ratios between two scenarios of the same run: the machines are
 * shared and noisy, so absolute numbers would not hold, while two scenarios
 * measured side by side suffer the same noise. The two are measured back to
 * back in every round, and the verdict takes the median of the per-round
 * ratios, so a burst of noise skews one round, not the result.
 *
 * A ratio of throughputs (records/s, requests/s) must reach its bound; a
 * ratio of p99 latencies must stay under it.
 */

import type { Result } from "./results.ts";
import type { Scenario } from "./scenario.ts";
import { median } from "./stats.ts";

export type Metric = "records/s" | "requests/s" | "p99 latency";

export interface Target {
  label: string;
  /** Scenario id whose metric is judged. */
  subject: string;
  /** Scenario id it is divided by. */
  reference: string;
  metric: Metric;
  /** The bound on subject / reference: the least for a throughput, the most for a latency. */
  required: number;
}

export interface Verdict extends Target {
  /** Median over rounds of subject / reference. */
  ratio: number;
  lowest: number;
  highest: number;
  pass: boolean;
}

/**
 * A target's ceiling: the same reference, metric and bound, measured on
 * `subject`, the least work the target's own subject could do. Reported
 * beside the targets, not judged: below the bound, the target is out of
 * reach on the machine.
 */
export function ceilingOf(target: Target, subject: string, label: string): Target {
  return { ...target, subject, label };
}

/** Whether a larger ratio is better: throughputs yes, latencies no. */
export function higherIsBetter(metric: Metric): boolean {
  return metric !== "p99 latency";
}

/** The scenarios in measuring order: each target's pair back to back, the rest after. */
export function measuringOrder(scenarios: readonly Scenario[], targets: readonly Target[]): Scenario[] {
  const ids = [...new Set(targets.flatMap((t) => [t.reference, t.subject]))];
  const paired = ids.map((id) => scenarios.find((s) => s.id === id) ?? missing(id));
  return [...paired, ...scenarios.filter((s) => !ids.includes(s.id))];
}

/** The targets whose two scenarios are both in the run (`--only` may leave some out). */
export function applicable(targets: readonly Target[], scenarios: readonly Scenario[]): Target[] {
  const ids = new Set(scenarios.map((s) => s.id));
  return targets.filter((t) => ids.has(t.subject) && ids.has(t.reference));
}

export function judge(targets: readonly Target[], results: readonly Result[]): Verdict[] {
  const perRound = (id: string, metric: Metric): readonly number[] => {
    const r = results.find((x) => x.scenario.id === id) ?? missing(id);
    if (metric === "records/s") return r.trialRecordsPerSec;
    return metric === "requests/s" ? r.trialRequestsPerSec : r.trialP99Ms;
  };
  return targets.map((t) => {
    const subject = perRound(t.subject, t.metric);
    const reference = perRound(t.reference, t.metric);
    const ratios = subject.map((s, round) => s / reference[round]!);
    const ratio = median(ratios);
    const pass = higherIsBetter(t.metric) ? ratio >= t.required : ratio <= t.required;
    return { ...t, ratio, lowest: Math.min(...ratios), highest: Math.max(...ratios), pass };
  });
}

function missing(id: string): never {
  throw new Error(`a target refers to scenario '${id}', which is not in the run`);
}
