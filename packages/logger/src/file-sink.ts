import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { LineSink } from './stdout-sink.ts';

/** A rotating JSON log file (pino-roll): `<dir>/<name>.<n>.<ext>`, `.log` when `path` has none. */
export interface FileLogOptions {
  /** File path; pino-roll inserts the rotation number before the extension (`app.1.log`). */
  path: string;
  /** Rotate when the file reaches this size: a number of bytes with a unit, `'10m'`, `'512k'`. */
  size?: string;
  /** Rotate every day, every hour, or every so many milliseconds. */
  frequency?: 'daily' | 'hourly' | number;
  /** Rotated files kept besides the active one; older ones are deleted. Default: all kept. */
  limit?: number;
  /** Create the folder of `path` when missing. Default: true. */
  mkdir?: boolean;
}

/** A file sink: lines in, `flush` and `close` for shutdown. */
export interface FileSink extends LineSink {
  /**
   * Resolves once the worker has taken every line written so far and asked its file stream to
   * flush (or the sink has failed); close() is what waits for the file to be written and closed.
   */
  flush(): Promise<void>;
  /**
   * Writes the pending lines, closes the file and stops the worker. Blocks the event loop until
   * the worker is done (thread-stream's end()), at most 10 s, then the worker is terminated.
   */
  close(): Promise<void>;
}

// Resolved here, where pino-roll is a dependency: pino would otherwise resolve the target from
// the stack of its caller, which is a service file that does not depend on pino-roll.
const pinoRollTarget = createRequire(import.meta.url).resolve('pino-roll');

/**
 * Opens a pino-roll file in a worker thread (pino.transport), so file I/O and rotation stay off
 * the event loop. Lines are filtered by the logger's level only: the sink takes every line it is
 * given, so a level change applies to the file as it does to stdout. When the worker fails
 * (folder missing, disk full) `onError` is called and later lines are dropped here rather than
 * raising an error per line. `target` replaces pino-roll (tests use a worker that hangs).
 */
export function openFileSink(
  file: FileLogOptions,
  onError: (err: Error) => void,
  target: string = pinoRollTarget,
): FileSink {
  const stream = pino.transport({
    target,
    options: {
      file: file.path,
      size: file.size,
      frequency: file.frequency,
      mkdir: file.mkdir ?? true,
      ...(file.limit === undefined ? {} : { limit: { count: file.limit } }),
    },
  });
  let isHealthy = true;
  let isClosing = false;
  // thread-stream destroys itself on its first error, so this runs at most once.
  stream.on('error', (err: Error) => {
    isHealthy = false;
    onError(err);
  });
  // Subscribed now: a worker that fails early emits 'close' long before anyone calls close().
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));

  return {
    write(line) {
      if (isHealthy && !isClosing) stream.write(line);
    },
    flush() {
      if (!isHealthy || isClosing) return Promise.resolve();
      // A failed flush is the worker failing, which the error listener reports.
      return new Promise((resolve) => stream.flush(() => resolve()));
    },
    close() {
      isClosing = true;
      // thread-stream's end() waits, synchronously, for the worker to write what is pending and
      // close the file; after 10 s it gives up and terminates the worker. Either way 'close'
      // follows, so this cannot hang.
      stream.end();
      return closed;
    },
  };
}
