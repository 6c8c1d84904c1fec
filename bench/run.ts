import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.ts';
import { parseBenchArgs, usage } from './lib/params.ts';
import type { Scenario } from './lib/scenario.ts';
import { formatTable, type ScenarioRow } from './lib/table.ts';
import { scenarios } from './scenarios/index.ts';

// `pnpm bench [scenario...] [--duration-ms N] [--warmup-ms N] [--concurrency N] ...`: runs the
// named scenarios (all when none is named), prints one table and writes one JSON file per
// scenario to bench/results/.

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

function select(names: string[]): Scenario[] {
  if (names.length === 0) return scenarios;
  const known = new Map(scenarios.map((scenario) => [scenario.name, scenario]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const list = scenarios.map((scenario) => `  ${scenario.name}: ${scenario.description}`);
    throw new Error(`unknown scenario ${unknown.join(', ')}; known:\n${list.join('\n')}`);
  }
  return names.flatMap((name) => known.get(name) ?? []);
}

async function main(): Promise<void> {
  // pnpm passes a literal `--` through when the user writes `pnpm bench -- --flag`.
  const argv = process.argv.slice(2).filter((arg) => arg !== '--');
  if (argv.includes('--help')) {
    console.log(usage);
    return;
  }
  const { scenarios: names, params } = parseBenchArgs(argv, process.env);
  const selected = select(names);
  const machine = machineInfo();
  const rows: ScenarioRow[] = [];
  mkdirSync(resultsDir, { recursive: true });
  for (const scenario of selected) {
    console.error(`# ${scenario.name}: ${scenario.description}`);
    const startedAt = new Date();
    const scenarioRows = await scenario.run({
      params,
      note: (message) => console.error(`  ${message}`),
    });
    rows.push(...scenarioRows.map((row) => ({ scenario: scenario.name, ...row })));
    const file = join(
      resultsDir,
      `${startedAt
        .toISOString()
        .replaceAll(':', '-')
        .replace(/\.\d+Z$/, 'Z')}-${scenario.name}.json`,
    );
    const report = {
      scenario: scenario.name,
      description: scenario.description,
      startedAt: startedAt.toISOString(),
      machine,
      params,
      rows: scenarioRows,
    };
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.error(`  wrote ${relative(process.cwd(), file)}`);
  }
  console.log(formatTable(rows));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
