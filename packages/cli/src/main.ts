#!/usr/bin/env node
import { runCli } from './cli.ts';

// Ctrl-C ends `switchboard events` cleanly (the stream is closed, the exit code stays 0).
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: interrupted.signal,
});
