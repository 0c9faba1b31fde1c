/**
 * @module
 * `npm run bench [-- --quick]`: starts a fresh bus with the floor routes,
 * sets up every scenario, warms each up, measures them in rounds of trials,
 * stops the bus, prints the table on stdout and writes BENCHMARKS.md.
 */

import { rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startBus, type Bus, type Engine } from "../support/bus.ts";
import { runTrial, type Trial } from "./load.ts";
import { clientSection } from "./client-section.ts";
import { liveSection } from "./live-section.ts";
import { describeMachine } from "./machine.ts";
import { progress } from "./progress.ts";
import { benchmarksMarkdown, resultsTable, targetsTable, type RunSettings } from "./report.ts";
import { summarize } from "./results.ts";
import type { BenchContext } from "./scenario.ts";
import { foundationSuite, foundationTargets } from "./suite.ts";
import { judge, measuringOrder } from "./targets.ts";

const OUTPUT = resolve(import.meta.dirname, "../../BENCHMARKS.md");

const { values: args } = parseArgs({
  options: { quick: { type: "boolean", default: false }, engine: { type: "string", default: "local" } },
});
if (args.engine !== "local" && args.engine !== "wrangler") throw new Error("--engine is local (npm start's) or wrangler");
const engine: Engine = args.engine;
// Sized for a 2-core machine: the full run stays under ~3 minutes, --quick under ~45 s.
const settings: RunSettings = args.quick
  ? { engine, quick: true, trials: 3, trialMs: 400, warmupMs: 200 }
  : { engine, quick: false, trials: 8, trialMs: 1000, warmupMs: 500 };

const machine = describeMachine();
const scenarios = foundationSuite();
const targets = foundationTargets();
process.stderr.write(`starting the bus (${args.quick ? "quick" : "full"} run of ${scenarios.length} scenarios)…\n`);
const bus = await startBus({ engine, vars: { EDGELOG_BENCH: "1" } });
const stopBus = once(async () => {
  await bus.stop();
  rmSync(bus.stateDir, { recursive: true, force: true });
});
process.once("SIGINT", () => void stopBus().finally(() => process.exit(130)));

let trials: Trial[][];
let client: string;
try {
  trials = await measure({ url: bus.url, quick: settings.quick }, bus);
  process.stderr.write("browser client: outbox benchmark in Chromium…\n");
  client = await clientSection(bus.url, settings.quick);
  process.stderr.write("live delivery: 1 and 200 SSE subscribers…\n");
  client += `\n${await liveSection(bus.url, bus.pid, settings.quick)}`;
} finally {
  await stopBus();
}

const results = scenarios.map((s, i) => summarize(s, trials[i]!));
const verdicts = judge(targets, results);
writeFileSync(OUTPUT, `${benchmarksMarkdown(machine, settings, results, verdicts)}\n${client}`);
process.stdout.write(`${resultsTable(results)}\n\n${targetsTable(verdicts)}\n\n${client}\nwritten to ${OUTPUT}\n`);

async function measure(ctx: BenchContext, bus: Bus): Promise<Trial[][]> {
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
    const order = measuringOrder(scenarios, targets);
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
