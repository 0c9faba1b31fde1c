/**
 * @module
 * Results as Markdown: the table printed on stdout and BENCHMARKS.md, which
 * also names the machine, the method and the targets' verdicts.
 */

import type { Engine } from "../support/bus.ts";
import type { Machine } from "./machine.ts";
import { RECORD_BYTES } from "./payload.ts";
import type { Result } from "./results.ts";
import { fillRecords } from "./scenarios/fetch.ts";
import type { Verdict } from "./targets.ts";

export interface RunSettings {
  engine: Engine;
  quick: boolean;
  trials: number;
  trialMs: number;
  warmupMs: number;
}

export function resultsTable(results: readonly Result[]): string {
  const rows = results.map((r) => [
    r.scenario.label,
    String(r.scenario.concurrency),
    r.scenario.recordsPerRequest === undefined ? "—" : whole(r.scenario.recordsPerRequest),
    whole(r.requestsPerSec),
    r.scenario.recordsPerRequest === undefined ? "—" : whole(r.recordsPerSec),
    r.scenario.recordsPerRequest === undefined ? "—" : r.mbPerSec.toFixed(r.mbPerSec < 1 ? 3 : 2),
    ms(r.p50Ms),
    ms(r.p99Ms),
  ]);
  return markdownTable(
    ["scenario", "concurrency", "records/request", "requests/s", "records/s", "MB/s", "p50 ms", "p99 ms"],
    rows,
    [false, true, true, true, true, true, true, true],
  );
}

export function targetsTable(verdicts: readonly Verdict[]): string {
  return markdownTable(
    ["target", "measured", "per-round range", "required", "result"],
    verdicts.map((v) => [
      v.label,
      ratio(v.ratio, v.atLeast),
      `${ratio(v.lowest, v.atLeast)}–${ratio(v.highest, v.atLeast)}`,
      `≥ ${ratio(v.atLeast, v.atLeast)}`,
      v.pass ? "PASS" : "FAIL",
    ]),
    [false, true, true, true, false],
  );
}

export function benchmarksMarkdown(machine: Machine, settings: RunSettings, results: readonly Result[], verdicts: readonly Verdict[]): string {
  const allPass = verdicts.every((v) => v.pass);
  return `# edgelog benchmarks

Written by \`npm run bench${settings.quick ? " -- --quick" : ""}\`${settings.quick ? " (a quick smoke run: short trials, read these numbers loosely)" : ""}. Run it again to refresh this file. Absolute numbers depend on the machine and on whatever else it was doing; the targets are ratios between scenarios of the same run, which share the same noise.

## Machine

| | |
|---|---|
| CPU | ${machine.cpu} |
| cores | ${machine.cores} |
| memory | ${machine.memoryGiB} GiB |
| OS | ${machine.os} |
| Node | ${machine.node} |
| wrangler | ${machine.wrangler} (workerd ${machine.workerd}) |
| load average at start | ${machine.loadAverage} |
| date | ${machine.date} |

## Method

- The bus is ${settings.engine === "local" ? "the local engine (\`local/serve.ts\`: the worker under Miniflare, no dev proxy — what \`npm start\` runs)" : "\`wrangler dev\` (local observability off)"} with a fresh state directory (\`test/support/bus.ts\`, \`EDGELOG_BENCH=1\` for the floor routes), loaded from Node on the same machine with \`fetch\` over keep-alive connections.
- Records are keyless; each value is a JSON string of ${RECORD_BYTES} bytes. MB/s counts those values (10^6 bytes). Every produce scenario writes to its own one-partition topic through \`POST /v1/topics/:topic/records\`.
- Fetch reads a one-partition topic filled with ${fillRecords(settings.quick).toLocaleString("en-US")} records in 1,000-record batches, 1,000 records per request from the earliest offset, starting over at the end.
- Floors: \`GET /v1/_bench/noop\` (the worker only), \`GET /v1/_bench/do-noop\` (one RPC to a Durable Object), \`POST /v1/_bench/raw-insert\` (the 1,000-record produce body, byte for byte, stored as one SQLite row without parsing; it counts as 1,000 records).
- Each concurrency level is that many closed-loop workers. Every scenario is warmed up for ${settings.warmupMs} ms, then measured in ${settings.trials} rounds of one ${settings.trialMs} ms trial per scenario, so noise that comes and goes lands on all of them. Throughput is the median over trials; p50 and p99 are per request, over all trials.
- A target divides the records/s of two scenarios that run back to back in every round; its measured ratio is the median of the per-round ratios.

## Results

${resultsTable(results)}

## Targets

${targetsTable(verdicts)}

${allPass ? "All targets pass in this run." : "Some targets fail in this run."}
`;
}

function markdownTable(head: readonly string[], rows: readonly string[][], right: readonly boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

function whole(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ms(n: number): string {
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}

/** A ratio the way its target reads: a percentage below 1×, a multiple above. */
function ratio(value: number, scale: number): string {
  return scale < 1 ? `${(value * 100).toFixed(0)}%` : `${value.toFixed(1)}×`;
}
