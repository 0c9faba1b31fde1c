/**
 * @module
 * BENCHMARKS.md: the machine, the method, the charts, edgelog's results, the
 * peers side by side, the engines, and the targets' verdicts.
 */

import type { Engine } from "../support/bus.ts";
import type { Machine } from "./machine.ts";
import { RECORD_BYTES } from "./payload.ts";
import type { Result } from "./results.ts";
import { ENGINE_NAMES, START_ENGINE, otherEngine } from "./scenarios/engines.ts";
import { fillRecords } from "./scenarios/fetch.ts";
import type { SideBySide } from "./side-by-side.ts";
import { ratio, resultsTable, sideBySideTable, targetsTable } from "./tables.ts";
import type { Verdict } from "./targets.ts";

export interface RunSettings {
  engine: Engine;
  quick: boolean;
  trials: number;
  trialMs: number;
  warmupMs: number;
}

/** What a run measured. */
export interface Measured {
  /** edgelog's own scenarios. */
  results: readonly Result[];
  side: SideBySide;
  verdicts: readonly Verdict[];
  engines: readonly Verdict[];
  /** Bounds on targets (suite.ts, foundationCeilings; scenarios/streams.ts, streamCeilings): reported, not judged. */
  ceilings: readonly Verdict[];
  /** Why a peer is missing (not installed). */
  peerNotes: readonly string[];
}

export interface Report extends Measured {
  machine: Machine;
  settings: RunSettings;
  /** Method bullets of the peers measured. */
  peerMethods: readonly string[];
  /** Chart paths relative to BENCHMARKS.md. */
  charts: { throughput: string; latency: string };
}

export function benchmarksMarkdown(r: Report): string {
  const { settings } = r;
  return `# edgelog benchmarks

Written by \`npm run bench${settings.quick ? " -- --quick" : ""}\`${settings.quick ? " (a quick smoke run: short trials, read these numbers loosely)" : ""}. Run it again to refresh this file and its charts. Absolute numbers depend on the machine and on whatever else it was doing; the targets are ratios between scenarios of the same run, which share the same noise.

## Machine

| | |
|---|---|
| CPU | ${r.machine.cpu} |
| cores | ${r.machine.cores} |
| memory | ${r.machine.memoryGiB} GiB |
| OS | ${r.machine.os} |
| Node | ${r.machine.node} |
| wrangler | ${r.machine.wrangler} (workerd ${r.machine.workerd}) |
| load average at start | ${r.machine.loadAverage} |
| date | ${r.machine.date} |

## Method

${method(r)}

## Charts

![Throughput in records/s, edgelog and its peers](${r.charts.throughput})

![Request latency p50 and p99 in ms, edgelog and its peers](${r.charts.latency})

${resultSections(r)}`;
}

/** Everything measured, without the preamble: BENCHMARKS.md's body and what a run prints. */
export function resultSections(r: Measured): string {
  return `## Results

${resultsTable(r.results)}

## Side by side with the peers

The same loads (batch size, record size, concurrency) on each system, in one run. A row is one of edgelog's scenarios above; a dash is a system not measured for that row.
${r.peerNotes.map((n) => `\n${n}\n`).join("")}
Records/s:

${sideBySideTable(r.side, "records/s")}

Latency per request, p50 / p99 ms:

${sideBySideTable(r.side, "latency")}

## Engines

${enginesSection(r.engines)}

## Targets

${targetsSection(r.verdicts)}
${ceilingsSection(r.ceilings)}`;
}

function targetsSection(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return "No target has both of its scenarios in this run.";
  return `${targetsTable(verdicts)}\n\n${verdicts.every((v) => v.pass) ? "All targets pass in this run." : "Some targets fail in this run."}`;
}

/** What the machine allows a target to reach: a ceiling below the target's ratio puts that target out of reach. */
function ceilingsSection(ceilings: readonly Verdict[]): string {
  if (ceilings.length === 0) return "";
  const rows = ceilings.map(
    (v) =>
      `| ${v.label} | ${ratio(v.ratio, v.required)} | ${ratio(v.lowest, v.required)}–${ratio(v.highest, v.required)} | ${ratio(v.required, v.required)} | ${v.pass ? "within reach" : "OUT OF REACH"} |`,
  );
  const table = ["| ceiling | measured | per-round range | the target's ratio | the target |", "|---|--:|--:|--:|---|", ...rows].join("\n");
  return `\n### Ceilings\n\nThe least work each target's subject could do, divided by the target's reference (test/bench/suite.ts, \`foundationCeilings\`; scenarios/streams.ts, \`streamCeilings\`). A ceiling below the target's ratio means no code in edgelog can meet that target on this machine.\n\n${table}\n`;
}

function method(r: Report): string {
  const { settings } = r;
  const other = otherEngine(settings.engine);
  const bullets = [
    `The bus under test is ${engineDescription(settings.engine)} with a fresh state directory (\`test/support/bus.ts\`, \`EDGELOG_BENCH=1\` for the floor routes), loaded from Node on the same machine with \`fetch\` over keep-alive connections. The load, the bus and the peers share the machine's cores.`,
    `Every value is a JSON string of ${RECORD_BYTES} bytes; MB/s counts those values (10^6 bytes). Each produce scenario writes to its own topic through \`POST /v1/topics/:topic/records\`. On one partition the records are keyless (the raw-insert floor's bytes). On 8 partitions they are keyed, with keys the partitioner spreads evenly, so the worker splits every batch by partition and calls the 8 leaders in parallel (one-record batches cycle through the partitions); the same keyed records on a one-partition topic are the reference for what partitions add.`,
    `Fetch reads a one-partition topic filled with ${fillRecords(settings.quick).toLocaleString("en-US")} records in 1,000-record batches, 1,000 records per request from the earliest offset, starting over at the end; concurrent readers start spread across the log.`,
    "Floors: `GET /v1/_bench/noop` (the worker only), `GET /v1/_bench/do-noop` (one RPC to a Durable Object), `POST /v1/_bench/raw-insert` (the 1,000-record produce body, byte for byte, stored as one SQLite row without parsing; it counts as 1,000 records), `GET /v1/_bench/raw-read` (that row read back and sent as the response, uncompressed like fetch's pages; 1,000 records). Ceilings: `GET /v1/_bench/page` answers a real 1,000-record fetch page that the worker holds in memory (1,000 records); `POST /v1/_bench/raw-insert-spread?parts=8` cuts the raw-insert body into 8 slices by length and stores each as one row in its own Durable Object, the 8 calls in parallel, each through the partition leaders' group commit so that concurrent requests share commits as produce's do (1,000 records); `POST /v1/_bench/raw-insert` with the 1- and 100-record produce bodies and with each judged stream append's body (the raw insert of other bodies).",
    `Engines: the no-op request also goes to a second bus with a fresh state and the same worker, on ${engineDescription(other)}, started for these scenarios only and measured in the same rounds.`,
    ...r.peerMethods,
    `Each concurrency level is that many closed-loop workers, each sending its next request when the last one answers. Every scenario is warmed up for ${settings.warmupMs} ms, then measured in ${settings.trials} rounds of one ${settings.trialMs} ms trial per scenario, so noise that comes and goes lands on all of them. Throughput is the median over trials; p50 and p99 are per request, over all trials.`,
    "A target divides a metric of two scenarios measured in the same rounds (records/s or requests/s: higher is better; p99 latency, each trial's own: lower is better); its measured value is the median of the per-round ratios.",
  ];
  return bullets.map((b) => `- ${b}`).join("\n");
}

function engineDescription(engine: Engine): string {
  return engine === "local"
    ? "the local engine (`local/serve.ts`: the worker under Miniflare's programmatic API, one workerd, served on a direct socket at the worker's own front door, `worker/local-front.ts`, without Miniflare's entry worker and asset router or wrangler's dev proxy)"
    : "`wrangler dev` (with `X_LOCAL_OBSERVABILITY=false`, as `npm run dev` runs it)";
}

/** The engine rule: if the faster engine wins by 2× or more, `npm start` uses it. */
function enginesSection(engines: readonly Verdict[]): string {
  if (engines.length === 0) return "Not measured in this run.";
  const rows = engines.map((v) => `| ${v.label} | ${ratio(v.ratio, v.required)} | ${ratio(v.lowest, v.required)}–${ratio(v.highest, v.required)} |`);
  const table = ["| comparison (requests/s) | measured | per-round range |", "|---|--:|--:|", ...rows].join("\n");
  const start = ENGINE_NAMES[START_ENGINE];
  const other = ENGINE_NAMES[otherEngine(START_ENGINE)];
  const required = ratio(engines[0]!.required, engines[0]!.required);
  let verdict: string;
  if (engines.every((v) => v.pass)) {
    verdict = `${capitalize(start)} wins by ${required} or more at every concurrency measured, so \`npm start\` uses it (\`local/serve.ts\`: the same worker code, Durable Objects and on-disk state as \`wrangler dev\`, without its dev proxy or Miniflare's entry worker and asset router; \`npm run dev\` still runs \`wrangler dev\`).`;
  } else if (engines.every((v) => v.ratio * v.required <= 1)) {
    verdict = `${capitalize(other)} wins by ${required} or more at every concurrency measured: by the rule, \`npm start\` should use it instead of ${start}.`;
  } else {
    verdict = `Neither engine wins by ${required} at every concurrency measured in this run. \`npm start\` runs ${start}, chosen on earlier runs where it won by more: measure again before changing it.`;
  }
  return `${table}\n\n${verdict}`;
}

function capitalize(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
