import { parseLoadArgs, usage } from './options.ts';
import { writeReports } from './report.ts';
import { notRecoveredText } from './report-markdown.ts';

// `pnpm load <scenario> [--flags]`: runs a load scenario against a mesh of its own, checks the
// invariants, writes the reports and exits 1 when a promise was broken.

async function main(): Promise<void> {
  // pnpm passes a literal `--` through when the user writes `pnpm load -- --flag`.
  const argv = process.argv.slice(2).filter((arg) => arg !== '--');
  if (argv.includes('--help')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const options = parseLoadArgs(argv);
  const note = (message: string) => process.stderr.write(`  ${message}\n`);
  // Chaos (and the smoke, a short chaos run) kills and restarts Postgres, Redis and NATS, and a
  // soak judges table sizes, which only mean something with Postgres's autovacuum on as a
  // deployment runs it (a shared test server may have it off): these runs get servers of their
  // own. @switchboard/testing reads where they are (SB_TEST_*) when it is first imported, so
  // the run's modules load after the servers are up.
  const ownServers = ['chaos', 'smoke', 'soak'].includes(options.scenario);
  const infra = ownServers
    ? await (await import('./chaos/own-infra.ts')).startOwnInfra()
    : undefined;
  if (infra !== undefined) {
    Object.assign(process.env, infra.env);
    note(`private Postgres, Redis and NATS: ${Object.values(infra.env).join(', ')}`);
  }
  const { runScenario } = await import('./run.ts');
  const result = await runScenario(options, `pnpm load ${argv.join(' ')}`, note, infra).finally(
    () => infra?.stop(),
  );
  const written = writeReports(result, options);
  for (const file of written) note(`wrote ${file}`);
  for (const violation of result.violations) {
    process.stderr.write(
      `VIOLATION ${violation.invariant} (${violation.count}): ${violation.ids.join(', ')}\n`,
    );
  }
  for (const crashed of result.crashed) process.stderr.write(`CRASHED ${crashed}\n`);
  if (result.chaos !== undefined) {
    const counts = Object.entries(result.chaos.counts).map(([kind, count]) => `${kind} ${count}`);
    process.stderr.write(`FAULTS INJECTED ${counts.join(', ')}\n`);
    for (const fault of result.chaos.faults.filter((record) => record.error !== undefined)) {
      process.stderr.write(`FAULT NOT RECOVERED ${fault.label}: ${fault.error}\n`);
    }
  }
  if (result.stress !== undefined && result.stress.recoverySeconds === undefined) {
    process.stderr.write(`NOT RECOVERED ${notRecoveredText(result)}\n`);
  }
  if (result.unexercised.length > 0) {
    process.stderr.write(`NEVER COMPLETED ${result.unexercised.join(', ')}\n`);
  }
  process.stdout.write(
    `${result.passed ? 'PASS' : 'FAIL'}: ${result.scenario}, ${result.violations.length} invariant violations, ${result.crashed.length} crashed services\n`,
  );
  if (!result.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
