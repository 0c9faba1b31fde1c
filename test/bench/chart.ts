/**
 * @module
 * Grouped bar charts as standalone SVG, written by hand: panels stacked top
 * to bottom, each with its own value axis, groups of bars along it (one bar
 * per series), a legend, labelled axes and every bar's value printed above
 * it. A bar may carry an inner, narrower bar (p50 inside p99). A white
 * background keeps it readable on dark pages too.
 */

export interface Bar {
  /** Index into the chart's series. */
  series: number;
  value: number;
  inner?: number;
}

export interface Panel {
  title: string;
  groups: { label: string; bars: Bar[] }[];
}

export interface Chart {
  title: string;
  /** A smaller line under the title (where and when it was measured). */
  subtitle?: string;
  /** The value axis's label, unit included. */
  axis: string;
  /** Log for values that span orders of magnitude; linear starts at zero. */
  scale: "linear" | "log";
  series: readonly string[];
  /** Legend entries for the outer and inner bar, when bars have inner ones. */
  layers?: { outer: string; inner: string };
  panels: Panel[];
}

const WIDTH = 960;
const LEFT = 78;
const RIGHT = 16;
const PANEL_HEIGHT = 250;
const PLOT_TOP = 34;
const PLOT_BOTTOM = 44;
const BAR_MAX = 34;
const COLORS = ["#1f6feb", "#79b8ff", "#cf222e", "#fb8f44", "#8250df", "#c297ff", "#1a7f37", "#bf8700"];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function renderChart(chart: Chart): string {
  const legend = legendItems(chart);
  const legendRows = layoutLegend(legend);
  const legendTop = chart.subtitle ? 64 : 46;
  const top = legendTop + legendRows.length * 20 + 6;
  const height = top + chart.panels.length * PANEL_HEIGHT;
  const body = [
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="17" font-weight="600">${esc(chart.title)}</text>`,
    chart.subtitle ? `<text x="${WIDTH / 2}" y="46" text-anchor="middle" font-size="12" fill="#57606a">${esc(chart.subtitle)}</text>` : "",
    ...legendRows.flatMap((row, r) => row.map((item) => legendEntry(item, legendTop + r * 20))),
    ...chart.panels.map((panel, i) => renderPanel(chart, panel, top + i * PANEL_HEIGHT)),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} fill="#24292f">
<title>${esc(chart.title)}</title>
${body.join("\n")}
</svg>
`;
}

interface LegendItem {
  label: string;
  color: string;
  /** A narrow swatch: the inner bar. */
  narrow?: boolean;
  x?: number;
}

function legendItems(chart: Chart): LegendItem[] {
  const items: LegendItem[] = chart.series.map((label, i) => ({ label, color: color(i) }));
  if (chart.layers) {
    items.push({ label: chart.layers.outer, color: "#8c959f" }, { label: chart.layers.inner, color: "#24292f", narrow: true });
  }
  return items;
}

/** Legend entries in rows that fit the width (text measured roughly: 7 px a character). */
function layoutLegend(items: LegendItem[]): LegendItem[][] {
  const rows: LegendItem[][] = [[]];
  let x = LEFT;
  for (const item of items) {
    const width = 20 + item.label.length * 7 + 18;
    if (x + width > WIDTH - RIGHT && rows.at(-1)!.length > 0) {
      rows.push([]);
      x = LEFT;
    }
    rows.at(-1)!.push({ ...item, x });
    x += width;
  }
  return rows;
}

function legendEntry(item: LegendItem, y: number): string {
  const swatch = item.narrow
    ? `<rect x="${item.x! + 4}" y="${y - 10}" width="6" height="12" fill="${item.color}"/>`
    : `<rect x="${item.x}" y="${y - 10}" width="14" height="12" fill="${item.color}"/>`;
  return `${swatch}<text x="${item.x! + 20}" y="${y}" font-size="12">${esc(item.label)}</text>`;
}

function renderPanel(chart: Chart, panel: Panel, top: number): string {
  const plotTop = top + PLOT_TOP;
  const plotBottom = top + PANEL_HEIGHT - PLOT_BOTTOM;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const values = panel.groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.inner ?? Number.NaN])).filter((v) => Number.isFinite(v) && v > 0);
  const axis = valueAxis(chart.scale, values);
  const y = (v: number) => plotBottom - axis.position(v) * (plotBottom - plotTop);
  const parts = [`<text x="${LEFT}" y="${top + 20}" font-size="14" font-weight="600">${esc(panel.title)}</text>`];
  for (const tick of axis.ticks) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${ty}" dy="4" text-anchor="end" font-size="11" fill="#57606a">${esc(compact(tick))}</text>`);
  }
  const mid = (plotTop + plotBottom) / 2;
  parts.push(`<text transform="translate(16 ${mid}) rotate(-90)" text-anchor="middle" font-size="12" fill="#57606a">${esc(chart.axis)}</text>`);
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${plotBottom}" y2="${plotBottom}" stroke="#57606a" stroke-width="1"/>`);
  const slot = plotWidth / Math.max(1, panel.groups.length);
  panel.groups.forEach((group, g) => {
    const center = LEFT + slot * (g + 0.5);
    parts.push(`<text x="${center.toFixed(1)}" y="${plotBottom + 18}" text-anchor="middle" font-size="12">${esc(group.label)}</text>`);
    const bars = group.bars.filter((b) => Number.isFinite(b.value));
    const width = Math.min(BAR_MAX, (slot * 0.86) / Math.max(1, bars.length));
    bars.forEach((bar, i) => {
      const x = center - (bars.length * width) / 2 + i * width;
      parts.push(renderBar(bar, x, width, y, plotBottom, chart.series[bar.series] ?? ""));
    });
  });
  return `<g class="panel">\n${parts.join("\n")}\n</g>`;
}

function renderBar(bar: Bar, x: number, width: number, y: (v: number) => number, bottom: number, series: string): string {
  const top = Math.min(bottom, y(bar.value));
  const inset = 1;
  const tip = `${series}: ${precise(bar.value)}${bar.inner === undefined ? "" : ` (inner ${precise(bar.inner)})`}`;
  const parts = [
    `<rect class="bar" x="${(x + inset).toFixed(1)}" y="${top.toFixed(1)}" width="${(width - 2 * inset).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${color(bar.series)}"><title>${esc(tip)}</title></rect>`,
  ];
  if (bar.inner !== undefined && Number.isFinite(bar.inner)) {
    const innerTop = Math.min(bottom, y(bar.inner));
    parts.push(
      `<rect class="inner" x="${(x + width * 0.3).toFixed(1)}" y="${innerTop.toFixed(1)}" width="${(width * 0.4).toFixed(1)}" height="${(bottom - innerTop).toFixed(1)}" fill="#24292f" fill-opacity="0.75"/>`,
    );
  }
  parts.push(`<text x="${(x + width / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${esc(compact(bar.value))}</text>`);
  return parts.join("");
}

interface ValueAxis {
  ticks: number[];
  /** 0 at the axis's bottom, 1 at its top. */
  position(value: number): number;
}

function valueAxis(scale: "linear" | "log", values: number[]): ValueAxis {
  const max = values.length === 0 ? 1 : Math.max(...values);
  if (scale === "log") {
    const min = values.length === 0 ? 1 : Math.min(...values);
    const low = Math.floor(Math.log10(min));
    const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
    const ticks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
    return { ticks, position: (v) => Math.max(0, (Math.log10(v) - low) / (high - low)) };
  }
  const step = niceStep(max / 5);
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { ticks, position: (v) => v / top };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/** Short numbers for labels: 950, 12.3k, 1.2M; small ones with decimals (ms). */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (value >= 999_500) return `${trim(value / 1e6)}M`;
  if (value >= 1e4) return `${trim(value / 1e3)}k`;
  if (value >= 100) return Math.round(value).toString();
  if (value >= 10) return String(Number(value.toFixed(1)));
  if (value >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

function trim(n: number): string {
  return n >= 100 ? Math.round(n).toString() : n.toFixed(1).replace(/\.0$/, "");
}

function precise(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
}

function color(series: number): string {
  return COLORS[series % COLORS.length]!;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
