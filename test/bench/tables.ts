/**
 * @module
 * The Markdown tables of a run: edgelog's results, the side-by-side table
 * with the peers, and verdicts. The same text goes to stdout and into
 * BENCHMARKS.md.
 */

import type { Result } from "./results.ts";
import type { SideBySide } from "./side-by-side.ts";
import { higherIsBetter, type Verdict } from "./targets.ts";

export function resultsTable(results: readonly Result[]): string {
  const rows = results.map((r) => {
    // Requests that move records: a fixed number each, or as many as each answer held (a stream read).
    const moves = r.scenario.recordsPerRequest !== undefined || r.recordsPerSec > 0;
    return [
      r.scenario.label,
      String(r.scenario.concurrency),
      r.scenario.recordsPerRequest === undefined ? "—" : whole(r.scenario.recordsPerRequest),
      whole(r.requestsPerSec),
      moves ? whole(r.recordsPerSec) : "—",
      moves ? r.mbPerSec.toFixed(r.mbPerSec < 1 ? 3 : 2) : "—",
      ms(r.p50Ms),
      ms(r.p99Ms),
    ];
  });
  return markdownTable(
    ["scenario", "concurrency", "records/request", "requests/s", "records/s", "MB/s", "p50 ms", "p99 ms"],
    rows,
    [false, true, true, true, true, true, true, true],
  );
}

/** records/s, or p50 / p99 ms, of every system on each row. */
export function sideBySideTable(table: SideBySide, show: "records/s" | "latency"): string {
  const cell = (r: Result | undefined) => {
    if (!r) return "—";
    return show === "records/s" ? whole(r.recordsPerSec) : `${ms(r.p50Ms)} / ${ms(r.p99Ms)}`;
  };
  return markdownTable(
    ["load", "concurrency", ...table.columns],
    table.rows.map((row) => [row.label, String(row.concurrency), ...row.cells.map(cell)]),
    [false, true, ...table.columns.map(() => true)],
  );
}

export function targetsTable(verdicts: readonly Verdict[]): string {
  return markdownTable(
    ["target", "compares", "measured", "per-round range", "required", "result"],
    verdicts.map((v) => [
      v.label,
      v.metric,
      ratio(v.ratio, v.required),
      `${ratio(v.lowest, v.required)}–${ratio(v.highest, v.required)}`,
      `${higherIsBetter(v.metric) ? "≥" : "≤"} ${ratio(v.required, v.required)}`,
      v.pass ? "PASS" : "FAIL",
    ]),
    [false, false, true, true, true, false],
  );
}

function markdownTable(head: readonly string[], rows: readonly string[][], right: readonly boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

function whole(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

function ms(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}

/** A ratio the way its target reads: a percentage below 1×, a multiple above. */
export function ratio(value: number, scale: number): string {
  return scale < 1 ? `${(value * 100).toFixed(0)}%` : `${value.toFixed(1)}×`;
}
