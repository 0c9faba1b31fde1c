/**
 * @module
 * Which scenarios a run measures, in table order, and the targets judged on
 * them: edgelog's own scenarios on the bus under test, then what it is
 * compared with — the other engine and the peers — each started on demand.
 */

import type { Engine } from "../support/bus.ts";
import { redisAvailable, redisMethod, redisScenarios } from "./peers/redis.ts";
import { count, type Scenario } from "./scenario.ts";
import { engineComparisons, otherEngineScenarios } from "./scenarios/engines.ts";
import { fetchScenarios } from "./scenarios/fetch.ts";
import { floorScenarios, rawInsertOf } from "./scenarios/floors.ts";
import { keyedScenario, keyedScenarioId, produceScenario, spreadScenario } from "./scenarios/produce.ts";
import { retentionScenarioId, retentionScenarios } from "./scenarios/retention.ts";
import { rateLimitedScenarios, rateLimitsMethod } from "./scenarios/rate-limits.ts";
import { streamScenarios, streamsMethod } from "./scenarios/streams.ts";
import { ceilingOf, type Target } from "./targets.ts";
import { produceBody } from "./payload.ts";

const CONCURRENCY: readonly number[] = [1, 8, 32];
const BATCHES: readonly number[] = [1, 100, 1000];
const PARTITIONS = 8;
/** The batch sizes whose produce p99 is judged against the no-op request's. */
const LATENCY_BATCHES: readonly number[] = [1, 100];
/** Reads, the no-op floors, retention and the engines: the concurrencies their targets name. */
const FEWER: readonly number[] = [1, 8];

/** edgelog on the bus under test (also what `npm run profile` can load). */
export function foundationSuite(): Scenario[] {
  return [
    ...CONCURRENCY.flatMap((c) => [
      ...BATCHES.map((b) => produceScenario(b, c)),
      ...BATCHES.map((b) => spreadScenario(b, c, PARTITIONS)),
    ]),
    keyedScenario(1000, 8),
    ...fetchScenarios(FEWER),
    // The raw insert at every concurrency (a target at each); the others where fetch and the no-op targets are.
    ...CONCURRENCY.flatMap((c) => floorScenarios(c, FEWER.includes(c) ? undefined : ["raw-insert"])),
    // The partitions ceiling, and the latency targets' (1- and 100-record bodies): at the one concurrency those targets name.
    ...floorScenarios(8, ["raw-insert-spread"]),
    ...LATENCY_BATCHES.map((b) => rawInsertOf(`b${b}`, `the ${count(b)}-record produce body`, b, produceBody(b), 8)),
    ...FEWER.flatMap((c) => retentionScenarios(c)),
  ];
}

export interface Comparisons {
  scenarios: Scenario[];
  /** The engine rule's ratios: reported on their own, not as targets. */
  engines: Target[];
  /** Method bullets for BENCHMARKS.md, one per peer measured. */
  methods: string[];
  /** What was left out, and why (a peer that is not installed). */
  notes: string[];
}

/** The other engine and the peers, beside edgelog's rows. */
export function comparisonSuite(engine: Engine): Comparisons {
  const methods: string[] = [];
  const notes: string[] = [];
  const scenarios = otherEngineScenarios(engine, FEWER);
  scenarios.push(...rateLimitedScenarios([1, 1000], 1));
  methods.push(rateLimitsMethod());
  if (redisAvailable()) {
    scenarios.push(...redisScenarios(BATCHES, CONCURRENCY, FEWER));
    methods.push(redisMethod());
  } else notes.push("Redis Streams was skipped: `redis-server` is not on PATH (Debian: `apt-get install redis-server`).");
  // The Durable Streams face beside the protocol's reference server (its targets: run.ts, streamTargets).
  scenarios.push(...streamScenarios());
  methods.push(streamsMethod());
  return { scenarios, engines: engineComparisons(engine, FEWER), methods, notes };
}

/** The targets, as ratios within one run. */
export function foundationTargets(): Target[] {
  return [
    ...CONCURRENCY.map(
      (c): Target => ({
        label: `produce 1,000-record batches vs raw-insert floor, concurrency ${c}`,
        subject: `produce-b1000-c${c}`,
        reference: `floor-raw-insert-c${c}`,
        metric: "records/s",
        required: 0.8,
      }),
    ),
    ...LATENCY_BATCHES.map(
      (b): Target => ({
        label: `produce p99 latency, ${count(b)}-record batches, vs no-op request p99, concurrency 8`,
        subject: `produce-b${b}-c8`,
        reference: "floor-noop-c8",
        metric: "p99 latency",
        required: 2,
      }),
    ),
    {
      label: `produce 1,000 keyed records: ${PARTITIONS} partitions vs 1, concurrency 8`,
      subject: keyedScenarioId(1000, 8, PARTITIONS),
      reference: keyedScenarioId(1000, 8, 1),
      metric: "records/s",
      required: 1.6,
    },
    ...FEWER.flatMap((c): Target[] => [
      {
        label: `fetch 1,000-record pages vs produce 1,000-record batches, concurrency ${c}`,
        subject: `fetch-p1000-c${c}`,
        reference: `produce-b1000-c${c}`,
        metric: "records/s",
        required: 5,
      },
      {
        label: `produce while retention and compaction run vs without, concurrency ${c}`,
        subject: retentionScenarioId("maintained", c),
        reference: retentionScenarioId("plain", c),
        metric: "records/s",
        required: 0.8,
      },
    ]),
  ];
}

/**
 * Bounds on targets, reported beside them rather than judged. A ceiling is
 * the least work a target's subject could do, divided by the same reference:
 * when even that falls short of the target's ratio, the target is out of
 * reach on this machine, whatever edgelog's code does.
 * - A fetch page the worker already holds in memory (no Durable Object, no
 *   SQLite, no rendering) against the produce rate the fetch target divides by.
 * - The 1- and 100-record produce bodies stored as one row without parsing,
 *   their p99 against the no-op request's: the least latency a produce of
 *   that body could add.
 * - The raw-insert body cut into 8 slices stored by 8 Durable Objects in
 *   parallel, through the leaders' group commit (no parsing, no
 *   partitioning, no rendering), against the one-partition produce the
 *   partitions target divides by.
 */
export function foundationCeilings(): Target[] {
  const targets = foundationTargets();
  const target = (subject: string) => targets.find((t) => t.subject === subject)!;
  return [
    ...FEWER.map((c) =>
      ceilingOf(target(`fetch-p1000-c${c}`), `floor-page-c${c}`, `a fetch page from the worker's memory vs produce 1,000-record batches, concurrency ${c}`),
    ),
    ...LATENCY_BATCHES.map((b) =>
      ceilingOf(target(`produce-b${b}-c8`), `floor-raw-b${b}-c8`, `p99 of a raw insert of the ${count(b)}-record body vs no-op request p99, concurrency 8`),
    ),
    ceilingOf(
      target(keyedScenarioId(1000, 8, PARTITIONS)),
      "floor-raw-insert-spread-c8",
      `the raw insert spread over ${PARTITIONS} Durable Objects vs produce 1,000 keyed records to 1 partition, concurrency 8`,
    ),
  ];
}
