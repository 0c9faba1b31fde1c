/**
 * @module
 * A time-series line chart (uPlot, loaded on first use) in a figure whose
 * caption says in words what the chart shows, for those who cannot see it.
 * It follows its container's width, and is rebuilt when its series change.
 */

import { h } from "./dom.ts";
import type { PlotHandle } from "./uplot-chart.ts";

interface Series {
  label: string;
  values: (number | null)[];
}

interface LineChart {
  element: HTMLElement;
  /** `x` in seconds since the epoch; every series as long as `x`. */
  set(x: number[], series: Series[], summary: string): void;
}

type Loaded = typeof import("./uplot-chart.ts");
let loading: Promise<Loaded> | undefined;

export function lineChart(title: string, unit: string, signal: AbortSignal): LineChart {
  const canvas = h("div", { class: "chart-canvas", role: "img", "aria-label": title });
  const caption = h("figcaption", null, title);
  const element = h("figure", { class: "chart", "data-samples": 0 }, canvas, caption);
  let plot: PlotHandle | undefined;
  let labels = "";
  let latest: { x: number[]; series: Series[] } | undefined;
  let drawing = false;
  let redraw = false;

  const width = () => Math.max(240, canvas.clientWidth || element.clientWidth || 600);
  const draw = async () => {
    if (drawing) {
      redraw = true;
      return;
    }
    if (!latest) return;
    drawing = true;
    try {
      const lib = await (loading ??= import("./uplot-chart.ts"));
      if (signal.aborted || !latest) return;
      const { x, series } = latest;
      const data: [number[], ...(number | null)[][]] = [x, ...series.map((s) => s.values)];
      const names = series.map((s) => s.label).join("\n");
      if (!plot || names !== labels) {
        plot?.destroy();
        canvas.replaceChildren();
        plot = lib.createPlot(canvas, series.map((s) => s.label), unit, width(), data);
        labels = names;
      } else {
        plot.setData(data);
      }
    } catch {
      // Offline before the chart code was ever cached: the caption still says it in words.
      loading = undefined;
      plot?.destroy();
      plot = undefined;
      canvas.textContent = "The chart could not be loaded.";
    } finally {
      drawing = false;
      if (redraw) {
        redraw = false;
        void draw();
      }
    }
  };

  const resize = new ResizeObserver(() => plot?.setWidth(width()));
  resize.observe(element);
  signal.addEventListener("abort", () => {
    resize.disconnect();
    plot?.destroy();
  });

  return {
    element,
    set(x, series, summary) {
      latest = { x, series };
      element.dataset.samples = String(x.length);
      caption.textContent = `${title}. ${summary}`;
      void draw();
    },
  };
}
