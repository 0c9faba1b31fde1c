/**
 * The bench's charts: well-formed SVG with one bar per measured system and
 * load, labelled axes and legend, whatever the numbers (a peer not
 * measured, values across orders of magnitude, a scenario without samples).
 */

import { describe, expect, it } from "vitest";
import { compact, renderChart, type Chart } from "../bench/chart.ts";
import type { Trial } from "../bench/load.ts";
import { summarize, type Result } from "../bench/results.ts";
import type { Scenario } from "../bench/scenario.ts";
import { latencyChart, sideBySide, throughputChart } from "../bench/side-by-side.ts";

function result(scenario: Omit<Scenario, "worker" | "label"> & { label?: string }, records: number, latencyMs: number): Result {
  const trial: Trial = { requests: 4, records, elapsedMs: 1000, latenciesMs: [latencyMs / 2, latencyMs / 2, latencyMs / 2, latencyMs] };
  return summarize({ label: scenario.id, worker: () => async () => 0, ...scenario }, [trial]);
}

/** edgelog's produce rows at two concurrencies, 8 partitions beside one, a peer beside one of them. */
const results: Result[] = [
  result({ id: "produce-b1-c1", label: "produce, 1-record batches", concurrency: 1, recordsPerRequest: 1 }, 400, 3),
  result({ id: "produce-b1-c8", label: "produce, 1-record batches", concurrency: 8, recordsPerRequest: 1 }, 700, 12),
  result({ id: "produce-b1000-c8", label: "produce, 1,000-record batches", concurrency: 8, recordsPerRequest: 1000 }, 240_000, 40),
  result({ id: "p8", concurrency: 8, recordsPerRequest: 1, beside: { row: "produce-b1-c8", column: "edgelog, 8 partitions" } }, 2_000, 9),
  result({ id: "redis-1", concurrency: 8, peer: "Redis", beside: { row: "produce-b1-c8", column: "Redis <fsync \"always\">" } }, 50_000, 0.4),
  result({ id: "redis-1000", concurrency: 8, peer: "Redis", beside: { row: "produce-b1000-c8", column: "Redis <fsync \"always\">" } }, 900_000, 8),
  result({ id: "redis-1-c1", concurrency: 1, peer: "Redis", beside: { row: "produce-b1-c1", column: "Redis <fsync \"always\">" } }, 20_000, 0.2),
  result({ id: "floor-noop-c8", concurrency: 8 }, 0, 2),
];

/** Checks that every tag closes in order and that text holds no raw markup; returns the elements' names in order. */
function wellFormed(svg: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const text = svg.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, (_, close: string, name: string, _attrs: string, selfClose: string) => {
    if (close) {
      expect(stack.pop(), `</${name}> closes what was opened`).toBe(name);
    } else {
      names.push(name);
      if (!selfClose) stack.push(name);
    }
    return "";
  });
  expect(stack).toEqual([]);
  expect(text, "no markup left outside tags").not.toMatch(/[<>]/);
  expect(text.replace(/&(amp|lt|gt|quot);/g, ""), "no raw ampersands").not.toContain("&");
  return names;
}

function bars(svg: string): number {
  return svg.match(/<rect class="bar"/g)?.length ?? 0;
}

describe("side by side", () => {
  const table = sideBySide(results);

  it("has a row per edgelog scenario that others sit beside and a column per system", () => {
    expect(table.columns).toEqual(["edgelog, 1 partition", "edgelog, 8 partitions", 'Redis <fsync "always">']);
    expect(table.rows.map((r) => [r.label, r.concurrency, r.cells.map((c) => c?.scenario.id)])).toEqual([
      ["produce, 1-record batches", 1, ["produce-b1-c1", undefined, "redis-1-c1"]],
      ["produce, 1-record batches", 8, ["produce-b1-c8", "p8", "redis-1"]],
      ["produce, 1,000-record batches", 8, ["produce-b1000-c8", undefined, "redis-1000"]],
    ]);
  });

  it.each([
    ["throughput", throughputChart(table, "on a test machine")],
    ["latency", latencyChart(table, "on a test machine")],
  ])("the %s chart is well-formed SVG with one bar per measured cell", (_, chart) => {
    const svg = renderChart(chart);
    expect(wellFormed(svg)[0]).toBe("svg");
    expect(bars(svg)).toBe(7);
    expect(svg).not.toContain("NaN");
    expect(svg).toContain(chart.axis);
    expect(svg).toContain("on a test machine");
    expect(svg).toContain("Redis &lt;fsync &quot;always&quot;&gt;");
    expect(svg).toContain("produce, 1,000-record batches");
    expect(svg).toContain("concurrency 8");
  });

  it("draws p50 inside p99 on the latency chart and says so in the legend", () => {
    const svg = renderChart(latencyChart(table, ""));
    expect(svg.match(/<rect class="inner"/g)).toHaveLength(7);
    expect(svg).toContain("inner bar: p50");
  });
});

describe("renderChart", () => {
  const chart: Chart = {
    title: "t",
    axis: "records/s",
    scale: "linear",
    series: ["a", "b"],
    panels: [{ title: "p", groups: [{ label: "g", bars: [{ series: 0, value: 5 }, { series: 1, value: Number.NaN }] }] }],
  };

  it("leaves out a bar without a value rather than drawing NaN", () => {
    const svg = renderChart(chart);
    expect(bars(svg)).toBe(1);
    expect(svg).not.toContain("NaN");
  });

  it("makes a taller bar for a larger value on both scales", () => {
    for (const scale of ["linear", "log"] as const) {
      const svg = renderChart({ ...chart, scale, panels: [{ title: "p", groups: [{ label: "g", bars: [{ series: 0, value: 3 }, { series: 1, value: 3000 }] }] }] });
      const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(heights).toHaveLength(2);
      expect(heights[1]!).toBeGreaterThan(heights[0]!);
      expect(heights[0]!).toBeGreaterThan(0);
    }
  });
});

describe("compact", () => {
  it.each([
    [0.42, "0.42"],
    [3, "3"],
    [12.5, "12.5"],
    [950, "950"],
    [12_345, "12.3k"],
    [240_000, "240k"],
    [999_999, "1M"],
    [1_250_000, "1.3M"],
  ])("%d → %s", (value, text) => {
    expect(compact(value)).toBe(text);
  });
});
