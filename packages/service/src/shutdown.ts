/** The logger methods shutdown needs. */
interface ShutdownLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Stops the service on SIGTERM or SIGINT, within `timeoutMs`: a stop that hangs (a stuck
 * connection, a handler that never returns) must not keep a pod from terminating. A second
 * signal exits at once. Returns a function that removes the signal handlers.
 */
export function onShutdown(
  log: ShutdownLog,
  stop: () => Promise<void>,
  options: {
    timeoutMs: number;
    /** Runs last, after the final log line (closes the logger's file output). */
    flush?: () => Promise<void>;
    exit?: (code: number) => void;
  },
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  // After an orderly stop only: a second signal or a blown deadline exits without waiting.
  const finish = (code: number) => {
    const flushed = options.flush?.() ?? Promise.resolve();
    void flushed.catch(() => undefined).then(() => exit(code));
  };
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.error({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    log.info({ signal, timeoutMs: options.timeoutMs }, 'stopping');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: options.timeoutMs }, 'stop did not finish in time: exiting');
      exit(1);
    }, options.timeoutMs);
    deadline.unref();
    stop().then(
      () => {
        clearTimeout(deadline);
        log.info({}, 'stopped');
        finish(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        log.error({ err }, 'stop failed');
        finish(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  return () => {
    process.off('SIGTERM', handle);
    process.off('SIGINT', handle);
  };
}
