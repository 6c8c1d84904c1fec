import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** Where a logger writes lines: anything with a `write(line)`, as pino expects. */
export interface LineSink {
  write(line: string): void;
}

/** How the stdout sink renders lines. */
export interface StdoutSinkOptions {
  format: 'json' | 'pretty';
  destination?: NodeJS.WritableStream | undefined;
}

/**
 * Builds the sink for stdout (or `destination`). Writes are synchronous: a line is on the file
 * descriptor when the log call returns, so a crash loses nothing and there is nothing to flush.
 * Pretty lines are rendered in-process by pino-pretty's formatter rather than its stream, which
 * would add an asynchronous hop and make ordering with other output nondeterministic.
 */
export function createStdoutSink(options: StdoutSinkOptions): LineSink {
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  if (options.format === 'json') {
    return { write: (line) => void out.write(line) };
  }
  // Colours are forced: `pnpm dev` pipes every service through one terminal, so stdout is not a
  // TTY and autodetection would turn them off where they are wanted.
  const prettify = prettyFactory({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'service,instanceId',
    // One line per entry: six services share one terminal under `pnpm dev`.
    singleLine: true,
    messageFormat: '[{service}] {msg}',
  });
  return { write: (line) => void out.write(prettify(line)) };
}
