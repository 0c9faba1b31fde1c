/**
 * @module
 * Throughput: records per second per topic over the last minutes, from the
 * app-wide monitor's samples (high-watermark deltas), as a chart and as a
 * table with the same numbers.
 */

import { HISTORY_MS } from "../monitor.ts";
import type { PageContext } from "../router.ts";
import { lineChart } from "../ui/chart.ts";
import { h } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { formatRate } from "../ui/format.ts";
import { dataTable } from "../ui/table.ts";

/** The busiest topics get a line each; the rest count in the total. */
const MAX_SERIES = 6;

export function throughputPage({ app, root, signal }: PageContext): void {
  const { monitor } = app;
  const status = h("p", { class: "status" });
  const chart = lineChart("Records per second per topic", "records/s", signal);
  const table = dataTable("Throughput per topic", [{ label: "Topic" }, { label: "Now", numeric: true }, { label: "Peak", numeric: true }, { label: "Average", numeric: true }]);
  root.append(
    h("h1", null, "Throughput"),
    h("p", { class: "lede" }, `Records appended per second, measured from high-watermark changes every few seconds while this tab is open (up to the last ${HISTORY_MS / 60_000} minutes).`),
    status,
    h("section", { class: "card", "aria-label": "Throughput chart" }, chart.element),
    table.element,
  );
  const render = () => {
    status.textContent = monitor.error ? `Could not read topics: ${describeError(monitor.error)}` : "";
    const history = monitor.history;
    const totals = new Map<string, { sum: number; peak: number }>();
    for (const sample of history) {
      for (const [topic, rate] of sample.rates) {
        const t = totals.get(topic) ?? { sum: 0, peak: 0 };
        t.sum += rate;
        t.peak = Math.max(t.peak, rate);
        totals.set(topic, t);
      }
    }
    const busiest = [...totals].filter(([, t]) => t.peak > 0).sort((a, b) => b[1].sum - a[1].sum);
    const x = history.map((s) => s.at);
    const series = [
      { label: "all topics", values: history.map((s) => [...s.rates.values()].reduce((a, b) => a + b, 0)) },
      ...busiest.slice(0, MAX_SERIES).map(([topic]) => ({ label: topic, values: history.map((s) => s.rates.get(topic) ?? null) as number[] })),
    ];
    const now = history.at(-1);
    chart.set(
      x,
      series,
      busiest.length === 0
        ? "No records were appended in this window."
        : `Busiest: ${busiest
            .slice(0, 3)
            .map(([topic, t]) => `${topic} (peak ${formatRate(t.peak)})`)
            .join(", ")}.`,
    );
    table.update(
      busiest.map(([topic, t]) => [
        h("a", { href: `#/topics/${encodeURIComponent(topic)}` }, topic),
        formatRate(now?.rates.get(topic) ?? 0),
        h("span", { "data-peak": topic }, formatRate(t.peak)),
        formatRate(t.sum / history.length),
      ]),
      monitor.loaded ? "No records were appended while this tab was watching." : "Loading…",
    );
  };
  monitor.subscribe(render, signal);
  render();
}
