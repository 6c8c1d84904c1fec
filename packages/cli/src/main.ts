#!/usr/bin/env node
import { runCli } from './cli.ts';
import { interruptOnSignals } from './interrupt.ts';

// Ctrl-C ends `switchboard events` cleanly (the stream is closed, the exit code stays 0), and
// stops `switchboard dev`'s mesh (SIGTERM too: a process manager stops it that way).
const interrupted = interruptOnSignals(process, (text) => process.stderr.write(text));

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: interrupted,
});
