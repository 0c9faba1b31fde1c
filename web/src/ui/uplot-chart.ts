/**
 * @module
 * The one place that knows uPlot. Loaded on demand (chart pages only), so
 * the dashboard's first load and the demo never download it.
 */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const COLORS = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#65a30d", "#4b5563"];
const HEIGHT = 240;

export interface PlotHandle {
  setData(data: uPlot.AlignedData): void;
  setWidth(width: number): void;
  destroy(): void;
}

export function createPlot(target: HTMLElement, labels: string[], unit: string, width: number, data: uPlot.AlignedData): PlotHandle {
  // A canvas knows no currentColor: take the page's text color (light or dark).
  const ink = getComputedStyle(target).color;
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { stroke: ink, grid: { stroke: "rgba(128,128,128,.2)" } },
        { stroke: ink, label: unit, size: 60, grid: { stroke: "rgba(128,128,128,.2)" } },
      ],
      series: [{}, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: false } }))],
      legend: { live: false },
    },
    data,
    target,
  );
  return {
    setData: (d) => plot.setData(d),
    setWidth: (w) => plot.setSize({ width: w, height: HEIGHT }),
    destroy: () => plot.destroy(),
  };
}
