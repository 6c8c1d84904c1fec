import type { Logger } from 'pino';
import { pino, stdSerializers, stdTimeFunctions } from 'pino';
import { ChildLevels } from './child-levels.ts';
import { type FileLogOptions, type FileSink, openFileSink } from './file-sink.ts';
import type { LogLevel } from './levels.ts';
import { defaultRedactPaths, redactedValue } from './redact.ts';
import { createStdoutSink, type LineSink } from './stdout-sink.ts';

/** How a process logs (STYLE.md, Logging). */
export interface LoggerOptions {
  /** Service short name, on every line as `service`. */
  service: string;
  /** This replica's id, on every line as `instanceId`. */
  instanceId: string;
  /** Initial level; change it later with {@link RootLogger.setLevel}. */
  level: LogLevel;
  /** `json` lines, or `pretty` (colourized, for `pnpm dev`); applies to stdout only. */
  format: 'json' | 'pretty';
  /** Also write JSON lines to a rotating file. */
  file?: FileLogOptions | undefined;
  /** Paths to redact on top of {@link defaultRedactPaths}. */
  redact?: readonly string[] | undefined;
  /** Replaces stdout (tests capture output with it). */
  destination?: NodeJS.WritableStream | undefined;
}

/** The one logger of a process: a pino logger that also owns its level and its outputs. */
export interface RootLogger extends Logger {
  /**
   * Sets the level of this logger and of every logger made from it, including children that
   * were given a level of their own; children made later start at the new level unless given
   * one. Use this rather than assigning `level`, which only changes one logger. Ignored once
   * closed.
   */
  setLevel(level: LogLevel): void;
  /**
   * Resolves once every line logged so far has left this thread: stdout writes are synchronous,
   * the file worker has taken its lines. Calls `cb` too, as pino's own `flush(cb)` does, so
   * code that calls `flush(cb)` on any pino logger keeps working.
   */
  flush(cb?: (err?: Error) => void): Promise<void>;
  /**
   * Writes pending lines and closes the log file, then drops later lines (the logger turns
   * silent). Idempotent. A file worker that cannot finish is terminated after 10 s.
   */
  close(): Promise<void>;
}

/**
 * Creates the root logger of a process: JSON lines (or pretty ones) on stdout, plus a rotating
 * file when `file` is set, each line carrying `service`, `instanceId`, an ISO `time` and the
 * level as a label, with secrets redacted. Pass `log.child({ agentId, messageId, traceId })` down.
 */
export function createLogger(options: LoggerOptions): RootLogger {
  const children = new ChildLevels();
  const stdout = createStdoutSink(options);
  const fileOptions = options.file;
  // The worker reports failures asynchronously, so `logger` is initialised by then.
  const file =
    fileOptions &&
    openFileSink(fileOptions, (err) => {
      logger.error({ err }, `log file ${fileOptions.path} failed: logging to stdout only`);
    });

  const logger = pino(
    {
      level: options.level,
      base: { service: options.service, instanceId: options.instanceId },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.errWithCause },
      redact: { paths: [...defaultRedactPaths, ...(options.redact ?? [])], censor: redactedValue },
    },
    combine(stdout, file),
  );
  logger.on('level-change', (_label, _value, _previousLabel, _previousValue, changed) => {
    if (changed !== logger) children.track(changed);
  });
  return Object.assign(logger, ownership(logger, children, file));
}

function combine(stdout: LineSink, file: FileSink | undefined): LineSink {
  if (file === undefined) return stdout;
  // Both streams take every line: the logger's level, which setLevel changes, is the only filter.
  return pino.multistream([
    { level: 'trace', stream: stdout },
    { level: 'trace', stream: file },
  ]);
}

function ownership(
  logger: Logger,
  children: ChildLevels,
  file: FileSink | undefined,
): Pick<RootLogger, 'setLevel' | 'flush' | 'close'> {
  let closing: Promise<void> | undefined;

  function applyLevel(level: LogLevel): void {
    logger.level = level;
    children.setLevel(level);
  }

  return {
    setLevel(level) {
      if (closing === undefined) applyLevel(level);
    },
    flush(cb) {
      const flushed = file?.flush() ?? Promise.resolve();
      if (cb !== undefined) void flushed.then(() => cb());
      return flushed;
    },
    close() {
      if (closing === undefined) {
        applyLevel('silent');
        closing = file?.close() ?? Promise.resolve();
      }
      return closing;
    },
  };
}
