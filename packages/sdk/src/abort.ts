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
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new SbError('E_TIMEOUT', `${what} took longer than ${ms} ms`)),
    ms,
  );
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
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
