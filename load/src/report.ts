import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions } from './options.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-markdown.ts';
import type { RunResult } from './run-result.ts';

const REFERENCE_DIR = 'reports/load/reference';
const REFERENCE_DOC = 'docs/load-report.md';
/** The order of the reference runs in docs/load-report.md. */
const REFERENCE_ORDER = [
  'ramp',
  'stress',
  'stress-limits',
  'soak',
  'chaos',
  'mixed',
  'smoke',
  'stress-smoke',
];

/**
 * The name of a run's reference report: its scenario, but a stress run that kept the rate
 * limits is `stress-limits`, beside the one that lifted them (each shows a different thing).
 */
export function referenceNameOf(result: Pick<RunResult, 'scenario' | 'settings'>): string {
  return result.scenario === 'stress' && result.settings.rateLimits !== 'lifted'
    ? 'stress-limits'
    : result.scenario;
}

/**
 * docs/load-report.md from each scenario's reference report: a section per scenario, headings
 * one level down under one title.
 */
export function combineReferenceReports(reports: Array<[string, string]>): string {
  const sections = reports.map(([, markdown]) => markdown.replace(/^(#+) /gm, '#$1 ').trimEnd());
  return [
    '# Load reports',
    '',
    'The reference runs of the load suite ([docs/load.md](load.md)), one section each with its command. Their pages with plots: `reports/load/reference/<scenario>.html`.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}

/**
 * Writes a run's result.json, report.md and report.html under `<reportDir>/<runId>-<scenario>/`.
 * A reference run also writes `reports/load/reference/<scenario>.md|html` and rebuilds
 * docs/load-report.md from every scenario's reference report. Returns the files written.
 */
export function writeReports(result: RunResult, options: LoadOptions): string[] {
  const folder = join(options.reportDir, `${result.runId}-${result.scenario}`);
  mkdirSync(folder, { recursive: true });
  const markdown = renderMarkdown(result);
  const html = renderHtml(result);
  const files: Array<[string, string]> = [
    [join(folder, 'result.json'), `${JSON.stringify(result, null, 2)}\n`],
    [join(folder, 'report.md'), markdown],
    [join(folder, 'report.html'), html],
  ];
  for (const [file, text] of files) writeFileSync(file, text);
  if (!options.reference) return files.map(([file]) => file);
  mkdirSync(REFERENCE_DIR, { recursive: true });
  const references: Array<[string, string]> = [
    [join(REFERENCE_DIR, `${referenceNameOf(result)}.md`), markdown],
    [join(REFERENCE_DIR, `${referenceNameOf(result)}.html`), html],
  ];
  for (const [file, text] of references) writeFileSync(file, text);
  const reports = REFERENCE_ORDER.map((scenario) => join(REFERENCE_DIR, `${scenario}.md`))
    .filter((file) => existsSync(file))
    .map((file): [string, string] => [file, readFileSync(file, 'utf8')]);
  writeFileSync(REFERENCE_DOC, combineReferenceReports(reports));
  return [...files, ...references].map(([file]) => file).concat(REFERENCE_DOC);
}
