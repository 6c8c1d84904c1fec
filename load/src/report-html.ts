import { faultMarkers } from './chaos/report-chaos.ts';
import { Operations } from './operations.ts';
import { operationTable, renderMarkdown } from './report-markdown.ts';
import type { RunResult } from './run-result.ts';
import { soakCharts } from './soak/soak-report.ts';
import { escapeHtml, renderLineChart, type Series } from './svg-chart.ts';

/** Markdown tables as HTML tables; other lines as paragraphs (the report's Markdown is simple). */
function markdownToHtml(markdown: string): string {
  const html: string[] = [];
  let inCode = false;
  let rows: string[] = [];
  const flushTable = () => {
    if (rows.length === 0) return;
    const cells = (row: string) =>
      row
        .slice(1, -1)
        .split(' | ')
        .map((cell) => escapeHtml(cell.trim()));
    const [head, , ...body] = rows;
    html.push(
      '<table>',
      `<tr>${cells(head as string)
        .map((cell) => `<th>${cell}</th>`)
        .join('')}</tr>`,
      ...body.map(
        (row) =>
          `<tr>${cells(row)
            .map((cell) => `<td>${cell}</td>`)
            .join('')}</tr>`,
      ),
      '</table>',
    );
    rows = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      flushTable();
      html.push(inCode ? '</pre>' : '<pre>');
      inCode = !inCode;
    } else if (inCode) html.push(escapeHtml(line));
    else if (line.startsWith('|')) rows.push(line);
    else {
      flushTable();
      const heading = /^(#+) (.*)$/.exec(line);
      if (heading)
        html.push(
          `<h${heading[1]?.length}>${escapeHtml(heading[2] ?? '')}</h${heading[1]?.length}>`,
        );
      else if (line.trim() !== '')
        html.push(`<p>${escapeHtml(line).replace(/`([^`]*)`/g, '<code>$1</code>')}</p>`);
    }
  }
  flushTable();
  return html.join('\n');
}

function charts(result: RunResult): string[] {
  const seconds = result.phases.flatMap((phase) => phase.seconds);
  // Chaos marks each fault where it struck; other scenarios mark where each phase began.
  const markers =
    result.chaos === undefined
      ? result.phases.map((phase) => ({ x: phase.seconds[0]?.atS ?? 0, label: phase.name }))
      : faultMarkers(result.chaos);
  const svgs = [
    renderLineChart({
      title: 'Throughput over time (all operations)',
      xLabel: 'seconds since the measured load began',
      yLabel: 'operations/s',
      series: [
        { name: 'completed/s', points: seconds.map((second) => [second.atS, second.okPerSecond]) },
        { name: 'errors/s', points: seconds.map((second) => [second.atS, second.errorsPerSecond]) },
      ],
      markers,
    }),
    renderLineChart({
      title: 'Latency over time (all operations, from the scheduled time)',
      xLabel: 'seconds since the measured load began',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: seconds.map((second) => [second.atS, second.p50Ms]) },
        { name: 'p99', points: seconds.map((second) => [second.atS, second.p99Ms]) },
      ],
      markers,
    }),
  ];
  if (result.scenario === 'ramp') {
    const perOperation = (pick: 'p99Ms' | 'okPerSecond'): Series[] =>
      Operations.filter((name) => result.phases.some((phase) => phase.operations[name])).map(
        (name) => ({
          name,
          points: result.phases.flatMap((phase) => {
            const figures = phase.operations[name];
            return figures === undefined
              ? []
              : [[phase.offeredPerSecond, figures[pick]] as [number, number]];
          }),
        }),
      );
    svgs.push(
      renderLineChart({
        title: 'Ramp: p99 per operation at each offered rate',
        xLabel: 'offered operations/s (whole mix)',
        yLabel: 'p99 ms',
        series: perOperation('p99Ms'),
      }),
      renderLineChart({
        title: 'Ramp: completed rate per operation at each offered rate',
        xLabel: 'offered operations/s (whole mix)',
        yLabel: 'completed/s',
        series: perOperation('okPerSecond'),
      }),
    );
  }
  const services = Object.keys(result.memory[0]?.mib ?? {});
  svgs.push(
    renderLineChart({
      title: 'Memory per service (RSS)',
      xLabel: 'seconds since the measured load began (negative: set-up and warm-up)',
      yLabel: 'MiB',
      series: services.map((name) => ({
        name,
        points: result.memory.map((sample) => [sample.atS, sample.mib[name] ?? 0]),
      })),
      markers,
    }),
  );
  return svgs;
}

/** The run as one self-contained HTML page: the Markdown report's content and the plots. */
export function renderHtml(result: RunResult): string {
  const phaseTables = result.phases
    .map((phase) => `<h3>${escapeHtml(phase.name)}</h3>\n${markdownToHtml(operationTable(phase))}`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Switchboard load report: ${escapeHtml(result.scenario)} ${escapeHtml(result.runId)}</title>`,
    '<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}pre{background:#f4f4f4;padding:8px;overflow-x:auto}svg{display:block;margin:1em 0;max-width:100%;height:auto}</style>',
    '</head><body>',
    markdownToHtml(renderMarkdown(result)),
    '<h2>Plots</h2>',
    ...charts(result),
    ...soakCharts(result.soak),
    '<h2>Every phase</h2>',
    phaseTables,
    '</body></html>',
    '',
  ].join('\n');
}
