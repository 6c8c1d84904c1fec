import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions } from './options.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-markdown.ts';
import type { RunResult } from './run-result.ts';

/**
 * Writes a run's result.json, report.md and report.html under `<reportDir>/<runId>-<scenario>/`;
 * a reference run also writes docs/load-report.md and reports/load/reference/<scenario>.html.
 * Returns the files written.
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
  if (options.reference) {
    mkdirSync('reports/load/reference', { recursive: true });
    files.push(
      ['docs/load-report.md', markdown],
      [`reports/load/reference/${result.scenario}.html`, html],
    );
  }
  for (const [file, text] of files) writeFileSync(file, text);
  return files.map(([file]) => file);
}
