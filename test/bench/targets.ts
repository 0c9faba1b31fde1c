/**
 * @module
 * Targets as ratios of records/s between two scenarios of the same run: the
 * machines are shared and noisy, so absolute numbers would not hold, while
 * two scenarios measured side by side suffer the same noise. The two are
 * measured back to back in every round, and the verdict takes the median of
 * the per-round ratios, so a burst of noise skews one round, not the result.
 */

import type { Result } from "./results.ts";
import type { Scenario } from "./scenario.ts";
import { median } from "./stats.ts";

export interface Target {
  label: string;
  /** Scenario id whose records/s is judged. */
  subject: string;
  /** Scenario id it is divided by. */
  reference: string;
  /** The least acceptable subject / reference. */
  atLeast: number;
}

export interface Verdict extends Target {
  /** Median over rounds of subject / reference. */
  ratio: number;
  lowest: number;
  highest: number;
  pass: boolean;
}

/** The scenarios in measuring order: each target's pair back to back, the rest after. */
export function measuringOrder(scenarios: readonly Scenario[], targets: readonly Target[]): Scenario[] {
  const ids = [...new Set(targets.flatMap((t) => [t.reference, t.subject]))];
  const paired = ids.map((id) => scenarios.find((s) => s.id === id) ?? missing(id));
  return [...paired, ...scenarios.filter((s) => !ids.includes(s.id))];
}

export function judge(targets: readonly Target[], results: readonly Result[]): Verdict[] {
  const rates = (id: string): readonly number[] => (results.find((r) => r.scenario.id === id) ?? missing(id)).trialRecordsPerSec;
  return targets.map((t) => {
    const subject = rates(t.subject);
    const reference = rates(t.reference);
    const ratios = subject.map((s, round) => s / reference[round]!);
    const ratio = median(ratios);
    return { ...t, ratio, lowest: Math.min(...ratios), highest: Math.max(...ratios), pass: ratio >= t.atLeast };
  });
}

function missing(id: string): never {
  throw new Error(`a target refers to scenario '${id}', which is not in the suite`);
}
