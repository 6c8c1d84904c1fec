import { SbError } from '@switchboard/protocol';

/** The error an aborted operation fails with: the signal's own `SbError`, or one wrapping it. */
export function abortReason(signal: AbortSignal): SbError {
  const reason: unknown = signal.reason;
  if (reason instanceof SbError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new SbError('E_TIMEOUT', 'the operation timed out', { cause: reason });
  }
  return new SbError('E_UNAVAILABLE', 'the operation was aborted', { cause: reason });
}

/** A signal that aborts with an `E_TIMEOUT` saying `what` after `ms`, or with `parent`. */
export function withDeadline(
  parent: AbortSignal,
  ms: number,
  what: string,
): { signal: AbortSignal; clear(): void } {
  return deadlineSignal(
    [parent],
    ms,
    () => new SbError('E_TIMEOUT', `${what} took longer than ${ms} ms`),
  );
}

/**
 * A signal that aborts with `timeout()` after `ms`, or with the reason of the first of `parents`
 * that aborts. `clear()` stops the timer and unlinks the parents.
 */
export function deadlineSignal(
  parents: ReadonlyArray<AbortSignal | undefined>,
  ms: number,
  timeout: () => SbError,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeout()), ms);
  const unlinks = parents.map((parent) => {
    if (parent === undefined) return () => undefined;
    const onAbort = () => controller.abort(parent.reason);
    if (parent.aborted) onAbort();
    else parent.addEventListener('abort', onAbort, { once: true });
    return () => parent.removeEventListener('abort', onAbort);
  });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      for (const unlink of unlinks) unlink();
    },
  };
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Node's `events` module where there is one (not in browsers, which do not warn). */
const nodeEvents = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:events') as typeof import('node:events') | undefined;

/**
 * Lets `signal` hold any number of abort listeners without Node's leak warning: every request
 * in flight links to the client's lifetime signal and unlinks when it settles, so hundreds at
 * once are load, not a leak.
 */
export function allowManyListeners(signal: AbortSignal): void {
  nodeEvents?.setMaxListeners(0, signal);
}
