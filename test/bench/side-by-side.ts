/**
 * @module
 * edgelog beside what it is compared with: one row per edgelog scenario that
 * others sit beside (same batch size and concurrency), one column per system,
 * edgelog's own first. The peers table and both charts are drawn from it.
 */

import type { Chart } from "./chart.ts";
import type { Result } from "./results.ts";

/** edgelog's own rows: one-partition topics (a stream is one partition too). */
const OWN_COLUMN = "edgelog, 1 partition";

export interface SideBySide {
  columns: string[];
  rows: SideRow[];
}

export interface SideRow {
  /** The edgelog scenario's label, which names the kind of load. */
  label: string;
  concurrency: number;
  recordsPerRequest?: number;
  /** One per column; undefined where that system was not measured. */
  cells: (Result | undefined)[];
}

export function sideBySide(results: readonly Result[]): SideBySide {
  const beside = results.filter((r) => r.scenario.beside);
  const columns = [OWN_COLUMN, ...new Set(beside.map((r) => r.scenario.beside!.column))];
  const rows = [...new Set(beside.map((r) => r.scenario.beside!.row))].map((id): SideRow => {
    const own = results.find((r) => r.scenario.id === id);
    const others = beside.filter((r) => r.scenario.beside!.row === id);
    const { scenario } = own ?? others[0]!;
    return {
      label: own?.scenario.label ?? id,
      concurrency: scenario.concurrency,
      recordsPerRequest: scenario.recordsPerRequest,
      cells: columns.map((column, i) => (i === 0 ? own : others.find((r) => r.scenario.beside!.column === column))),
    };
  });
  // Rows of one kind together, by concurrency: the order the charts group them in.
  const kinds = [...new Set(rows.map((r) => r.label))];
  rows.sort((a, b) => kinds.indexOf(a.label) - kinds.indexOf(b.label) || a.concurrency - b.concurrency);
  return { columns, rows };
}

/** `subtitle`: where and when the numbers were measured. */
export function throughputChart(table: SideBySide, subtitle: string): Chart {
  return {
    title: "Throughput of edgelog and its peers (records/s, higher is better)",
    subtitle,
    axis: "records/s",
    scale: "linear",
    series: table.columns,
    panels: panels(table, (cell) => ({ value: cell.recordsPerSec })),
  };
}

export function latencyChart(table: SideBySide, subtitle: string): Chart {
  return {
    title: "Request latency of edgelog and its peers (ms, lower is better)",
    subtitle,
    axis: "ms per request (log scale)",
    scale: "log",
    series: table.columns,
    layers: { outer: "whole bar: p99", inner: "inner bar: p50" },
    panels: panels(table, (cell) => ({ value: cell.p99Ms, inner: cell.p50Ms })),
  };
}

/** One panel per kind of load; in it, one group per concurrency, one bar per measured system. */
function panels(table: SideBySide, measure: (cell: Result) => { value: number; inner?: number }): Chart["panels"] {
  const kinds = [...new Set(table.rows.map((r) => r.label))];
  return kinds.map((kind) => ({
    title: kind,
    groups: table.rows
      .filter((r) => r.label === kind)
      .map((r) => ({
        label: `concurrency ${r.concurrency}`,
        bars: r.cells.flatMap((cell, series) => (cell ? [{ series, ...measure(cell) }] : [])),
      })),
  }));
}
