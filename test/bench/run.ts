/**
 * @module
 * `npm run bench [-- --quick] [--engine local|wrangler] [--only <id prefix>,…]`:
 * starts a fresh bus with the floor routes, and the peers and the other
 * engine as their scenarios need them; sets up every scenario, warms each
 * up, measures them in rounds of trials, stops everything, prints the
 * results and writes BENCHMARKS.md with its charts (docs/bench-*.svg).
 *
 * `--only` measures the scenarios whose ids start with one of the prefixes
 * (`--only produce-b1000,redis-always`) and only prints: a partial run does
 * not replace the scoreboard.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startBus, type Bus, type Engine } from "../support/bus.ts";
import { renderChart } from "./chart.ts";
import { clientSection } from "./client-section.ts";
import { liveSection } from "./live-section.ts";
import { runTrial, type Trial } from "./load.ts";
import { describeMachine } from "./machine.ts";
import { stopStarted } from "./on-demand.ts";
import { progress } from "./progress.ts";
import { benchmarksMarkdown, resultSections, type Measured, type RunSettings } from "./report.ts";
import { summarize } from "./results.ts";
import type { BenchContext, Scenario } from "./scenario.ts";
import { latencyChart, sideBySide, throughputChart } from "./side-by-side.ts";
import { streamCeilings, streamTargets } from "./scenarios/streams.ts";
import { comparisonSuite, foundationCeilings, foundationSuite, foundationTargets } from "./suite.ts";
import { applicable, judge, measuringOrder, type Target } from "./targets.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUTPUT = resolve(ROOT, "BENCHMARKS.md");
const CHARTS = { throughput: resolve(ROOT, "docs/bench-throughput.svg"), latency: resolve(ROOT, "docs/bench-latency.svg") };

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    engine: { type: "string", default: "local" },
    only: { type: "string", multiple: true, default: [] },
  },
});
if (args.engine !== "local" && args.engine !== "wrangler") throw new Error("--engine is local (npm start's) or wrangler");
const engine: Engine = args.engine;
const only = args.only.flatMap((o) => o.split(",")).filter(Boolean);
// Sized for a 2-core machine: the full run stays under ~8 minutes, --quick under ~1.5.
const settings: RunSettings = args.quick
  ? { engine, quick: true, trials: 3, trialMs: 150, warmupMs: 100 }
  : { engine, quick: false, trials: 6, trialMs: 600, warmupMs: 300 };

const machine = describeMachine();
const own = foundationSuite();
const comparisons = comparisonSuite(engine);
const scenarios = [...own, ...comparisons.scenarios].filter((s) => only.length === 0 || only.some((p) => s.id.startsWith(p)));
if (scenarios.length === 0) {
  process.stderr.write(`no scenario id starts with ${only.join(" or ")}; the ids:\n${[...own, ...comparisons.scenarios].map((s) => s.id).join("\n")}\n`);
  process.exit(2);
}
const targets = applicable([...foundationTargets(), ...streamTargets()], scenarios);
const engineTargets = applicable(comparisons.engines, scenarios);
const ceilings = applicable([...foundationCeilings(), ...streamCeilings()], scenarios);
const full = only.length === 0;

process.stderr.write(`starting the bus (${args.quick ? "quick" : "full"} run of ${scenarios.length} scenarios)…\n`);
// Rate limits off: see scenarios/rate-limits.ts, which measures them beside.
const bus = await startBus({ engine, vars: { EDGELOG_BENCH: "1", EDGELOG_RATE_LIMITS: "off" } });
const stopAll = once(async () => {
  await Promise.allSettled([bus.dispose(), stopStarted()]);
});
process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));

let trials: Trial[][];
let sections = "";
try {
  trials = await measure({ url: bus.url, quick: settings.quick }, bus, [...targets, ...engineTargets, ...ceilings]);
  await stopStarted(); // the peers and the other engine: the sections below load the bus alone
  if (full) {
    process.stderr.write("browser client: outbox benchmark in Chromium…\n");
    sections = await clientSection(bus.url, settings.quick);
    process.stderr.write("live delivery: 1 and 200 SSE subscribers…\n");
    sections += `\n${await liveSection(bus.url, bus.pid, settings.quick)}`;
  }
} finally {
  await stopAll();
}

const results = scenarios.map((s, i) => summarize(s, trials[i]!));
const measured: Measured = {
  results: results.filter((r) => r.scenario.peer === undefined),
  side: sideBySide(results),
  verdicts: judge(targets, results),
  engines: judge(engineTargets, results),
  ceilings: judge(ceilings, results),
  peerNotes: comparisons.notes,
};
process.stdout.write(`${resultSections(measured)}\n${sections}`);
if (full) {
  mkdirSync(dirname(CHARTS.throughput), { recursive: true });
  const subtitle = `npm run bench${settings.quick ? " -- --quick (a smoke run)" : ""} · ${machine.cpu}, ${machine.cores} cores · ${machine.date.slice(0, 10)} · see BENCHMARKS.md`;
  writeFileSync(CHARTS.throughput, renderChart(throughputChart(measured.side, subtitle)));
  writeFileSync(CHARTS.latency, renderChart(latencyChart(measured.side, subtitle)));
  const charts = { throughput: relative(ROOT, CHARTS.throughput), latency: relative(ROOT, CHARTS.latency) };
  writeFileSync(OUTPUT, `${benchmarksMarkdown({ ...measured, machine, settings, peerMethods: comparisons.methods, charts })}\n${sections}`);
  process.stdout.write(`\nwritten to ${OUTPUT}, ${CHARTS.throughput} and ${CHARTS.latency}\n`);
} else {
  process.stdout.write("\n(--only: BENCHMARKS.md and the charts are left as they were)\n");
}

async function measure(ctx: BenchContext, bus: Bus, pairs: readonly Target[]): Promise<Trial[][]> {
  const bar = progress(scenarios.length * (2 + settings.trials));
  try {
    for (const s of scenarios) {
      bar.next(`setup ${s.id}`);
      await s.setup?.(ctx);
    }
    for (const s of scenarios) {
      bar.next(`warm-up ${s.id}`);
      await runTrial(ctx, s, settings.warmupMs);
    }
    // Rounds over all scenarios, not all trials of one then the next: noise
    // that comes and goes on a shared machine then lands on every scenario.
    const trials = new Map(scenarios.map((s): [string, Trial[]] => [s.id, []]));
    const order: Scenario[] = measuringOrder(scenarios, pairs);
    for (let round = 1; round <= settings.trials; round++) {
      for (const s of order) {
        bar.next(`round ${round}/${settings.trials} ${s.id}`);
        trials.get(s.id)!.push(await runTrial(ctx, s, settings.trialMs));
      }
    }
    return scenarios.map((s) => trials.get(s.id)!);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- bus output (tail) ---\n${bus.output().slice(-4000)}`, { cause: err });
  } finally {
    bar.stop();
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
