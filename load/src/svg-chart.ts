/** One line of a chart. */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

/** A line chart: series over a shared x axis, with optional vertical markers (phase edges). */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  markers?: Array<{ x: number; label: string; color?: string }>;
}

const WIDTH = 760;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 32, bottom: 50 };
const LEGEND_ROW = 14;
const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#17becf',
  '#bcbd22',
];

/** Text made safe inside HTML or SVG markup and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About five round tick values from 0 (or `min`) to at least `max`. */
export function ticksOf(min: number, max: number): number[] {
  const span = max - min || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  // At least two ticks, so the axis has a length.
  for (let tick = Math.floor(min / step) * step; ; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
    if (tick >= max && ticks.length > 1) return ticks;
  }
}

const label = (value: number) =>
  Math.abs(value) >= 10_000
    ? `${(value / 1000).toFixed(0)}k`
    : String(Number(value.toPrecision(4)));

/** Renders a chart as a standalone inline SVG element (no script, no external resources). */
export function renderLineChart(chart: LineChart): string {
  const points = chart.series.flatMap((series) => series.points);
  const xs = ticksOf(
    Math.min(0, ...points.map(([x]) => x)),
    Math.max(1, ...points.map(([x]) => x)),
  );
  const ys = ticksOf(0, Math.max(1, ...points.map(([, y]) => y)));
  const [xMin, xMax] = [xs[0] as number, xs.at(-1) as number];
  const yMax = ys.at(-1) as number;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  // The legend takes a row per five series under the axis label.
  const legendRows = Math.ceil(chart.series.length / 5);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom - (legendRows - 1) * LEGEND_ROW;
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const py = (y: number) => MARGIN.top + plotHeight - (y / yMax) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}" font-family="sans-serif" font-size="11">`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escapeHtml(chart.title)}</text>`,
  ];
  for (const y of ys) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(y) + 4}" text-anchor="end">${label(y)}</text>`,
    );
  }
  for (const x of xs) {
    parts.push(
      `<text x="${px(x)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${label(x)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 32}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.yLabel)}</text>`,
  );
  (chart.markers ?? []).forEach((marker, index) => {
    const color = marker.color ?? '#999';
    // Labels of close markers take turns on three rows instead of overwriting each other.
    const labelY = MARGIN.top + 10 + (index % 3) * 12;
    parts.push(
      `<line x1="${px(marker.x)}" x2="${px(marker.x)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="${color}" stroke-dasharray="4 3"/>`,
      `<text x="${px(marker.x) + 3}" y="${labelY}" fill="${marker.color ?? '#666'}">${escapeHtml(marker.label)}</text>`,
    );
  });
  chart.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length] as string;
    const path = series.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>`);
    if (series.points.length === 1) {
      const [x, y] = series.points[0] as [number, number];
      parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${color}"/>`);
    }
    // Legend: five entries a row under the x axis label.
    const legendX = MARGIN.left + (index % 5) * 140;
    const legendY = MARGIN.top + plotHeight + 46 + Math.floor(index / 5) * LEGEND_ROW;
    parts.push(
      `<rect x="${legendX}" y="${legendY - 9}" width="10" height="10" fill="${color}"/>`,
      `<text x="${legendX + 14}" y="${legendY}">${escapeHtml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
