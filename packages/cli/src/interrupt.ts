/** What `interruptOnSignals` needs of `process`: listening for signals and exiting. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exit(code: number): never;
}

/**
 * One Ctrl-C often arrives more than once: the terminal signals the whole foreground process
 * group, and a runner in it (pnpm, tsx) relays the same signal to its child. Signals this close
 * to the first are that same interrupt.
 */
export const REPEATED_SIGNAL_WINDOW_MS = 1_000;

/**
 * An abort signal that fires on the first SIGINT or SIGTERM, so a command can stop cleanly (the
 * embedded mesh takes seconds). Signals within `REPEATED_SIGNAL_WINDOW_MS` of the first are
 * ignored; a later one is a person insisting, and exits at once with 130.
 */
export function interruptOnSignals(
  source: SignalSource,
  warn: (text: string) => void,
  now: () => number = () => performance.now(),
): AbortSignal {
  const controller = new AbortController();
  let firstAt: number | undefined;
  const onSignal = () => {
    if (firstAt === undefined) {
      firstAt = now();
      controller.abort();
      return;
    }
    if (now() - firstAt < REPEATED_SIGNAL_WINDOW_MS) return;
    warn('interrupted again: exiting without finishing the shutdown\n');
    source.exit(130);
  };
  // `on`, not `once`: after the first signal, a repeated one must not fall back to the default
  // action, which kills the process in the middle of its shutdown.
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return controller.signal;
}
