import type { BenchRow } from './scenario.ts';

/** A row with the scenario it belongs to. */
export interface ScenarioRow extends BenchRow {
  scenario: string;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(3);
}

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value) : value;
}

/**
 * Formats rows as a plain-text table: scenario, variant, ops, ops/s, p50 ms, p99 ms, then
 * every extra column any row has, in order of first appearance.
 */
export function formatTable(rows: ScenarioRow[]): string {
  const extraColumns = [...new Set(rows.flatMap((row) => Object.keys(row.extra ?? {})))];
  const header = ['scenario', 'variant', 'ops', 'ops/s', 'p50 ms', 'p99 ms', ...extraColumns];
  const body = rows.map((row) => [
    row.scenario,
    row.variant,
    cell(row.ops),
    cell(Math.round(row.ops / (row.elapsedMs / 1000))),
    cell(row.p50Ms),
    cell(row.p99Ms),
    ...extraColumns.map((column) => cell(row.extra?.[column])),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...body.map((line) => line[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (i < 2 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join(
    '\n',
  );
}
