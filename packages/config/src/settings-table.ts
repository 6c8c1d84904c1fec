import { NO_DEFAULT, type SettingDoc } from './setting-docs.ts';

const HEADER = ['Variable', 'Key', 'Default', 'Live', 'Description'] as const;

/**
 * A Markdown table of settings: Variable, Key, Default, Live, Description (the description, a
 * dash, then what the setting takes: `integer 10..600000`, `string, secret`). Live reads `yes` (applies without a restart), `no`
 * (at the next start) or `no (file/env only)` for a setting an override may not set. Columns are
 * padded so the table reads as text too.
 */
export function renderSettingsTable(rows: readonly SettingDoc[]): string {
  const cells = [[...HEADER], ...rows.map(rowCells)].map((line) => line.map(escapeCell));
  const widths = HEADER.map((_, column) =>
    Math.max(3, ...cells.map((line) => (line[column] as string).length)),
  );
  const render = (line: readonly string[]) =>
    `| ${line.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  const [header, ...body] = cells as [string[], ...string[][]];
  return [render(header), rule, ...body.map(render)].join('\n');
}

function rowCells(row: SettingDoc): string[] {
  const live = `${row.isLive ? 'yes' : 'no'}${row.isBootstrap ? ' (file/env only)' : ''}`;
  const type = row.isSecret ? `${row.type}, secret` : row.type;
  const description = row.description === undefined ? type : `${row.description} — ${type}`;
  const defaultCell = row.defaultText === NO_DEFAULT ? NO_DEFAULT : code(row.defaultText);
  return [code(row.envName), code(row.key), defaultCell, live, description];
}

/** Inline code that survives backticks inside it. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A pipe would end the cell and a line break the row (GFM unescapes `\|` even in code). */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}
