/**
 * @module
 * Which scenarios a run measures, in table order, and the targets judged on
 * them. New scenarios (peers, more partitions, higher concurrency) join here.
 */

import type { Scenario } from "./scenario.ts";
import { fetchScenarios } from "./scenarios/fetch.ts";
import { floorScenarios } from "./scenarios/floors.ts";
import { produceScenario } from "./scenarios/produce.ts";
import { retentionScenarioId, retentionScenarios } from "./scenarios/retention.ts";
import type { Target } from "./targets.ts";

const CONCURRENCY = [1, 8] as const;
const BATCHES = [1, 100, 1000] as const;

export function foundationSuite(): Scenario[] {
  return [
    ...CONCURRENCY.flatMap((c) => BATCHES.map((b) => produceScenario(b, c))),
    ...fetchScenarios(CONCURRENCY),
    ...CONCURRENCY.flatMap((c) => floorScenarios(c)),
    ...CONCURRENCY.flatMap((c) => retentionScenarios(c)),
  ];
}

/** The foundation issue's targets, as ratios within one run, at each concurrency. */
export function foundationTargets(): Target[] {
  return CONCURRENCY.flatMap((c) => [
    {
      label: `produce 1,000-record batches vs raw-insert floor, concurrency ${c}`,
      subject: `produce-b1000-c${c}`,
      reference: `floor-raw-insert-c${c}`,
      atLeast: 0.7,
    },
    {
      label: `fetch 1,000-record pages vs produce 1,000-record batches, concurrency ${c}`,
      subject: `fetch-p1000-c${c}`,
      reference: `produce-b1000-c${c}`,
      atLeast: 5,
    },
    {
      label: `produce while retention and compaction run vs without, concurrency ${c}`,
      subject: retentionScenarioId("maintained", c),
      reference: retentionScenarioId("plain", c),
      atLeast: 0.8,
    },
  ]);
}
