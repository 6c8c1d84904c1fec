import { SbError, type ToolOutcome, type ToolResultFrame } from '@switchboard/protocol';

interface Waiter {
  resolve(outcome: ToolOutcome): void;
  reject(error: SbError): void;
  timer: NodeJS.Timeout;
}

/**
 * The tool calls written to one agent connection and not yet answered, by call id. A call ends
 * with the agent's `tool.result`, at its deadline (the registry stopped waiting), or when the
 * connection ends: then every waiting call fails at once with `E_UNAVAILABLE`, so no caller
 * hangs on an agent that is gone.
 */
export class PendingToolCalls {
  private readonly waiting = new Map<string, Waiter>();
  private closedWith: SbError | undefined;

  /** Waits for the answer to `callId` until `deadline` (epoch ms). */
  wait(callId: string, deadlineMs: number): Promise<ToolOutcome> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (this.waiting.has(callId)) {
      return Promise.reject(new SbError('E_CONFLICT', `tool call ${callId} is already running`));
    }
    return new Promise<ToolOutcome>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiting.delete(callId);
          reject(new SbError('E_TIMEOUT', `the agent did not answer tool call ${callId} in time`));
        },
        Math.max(0, deadlineMs - Date.now()),
      );
      this.waiting.set(callId, { resolve, reject, timer });
    });
  }

  /** Whether a call waits for the answer `callId`. */
  isWaiting(callId: string): boolean {
    return this.waiting.has(callId);
  }

  /** Hands a `tool.result` to its call; false when nobody waits for it (late or unknown). */
  settle(frame: ToolResultFrame): boolean {
    const waiter = this.waiting.get(frame.callId);
    if (waiter === undefined) return false;
    this.waiting.delete(frame.callId);
    clearTimeout(waiter.timer);
    waiter.resolve(
      frame.error === undefined
        ? { ok: true, result: frame.result ?? null }
        : { ok: false, error: frame.error },
    );
    return true;
  }

  /** Fails every waiting call with `error`, and every later one. */
  close(error: SbError): void {
    this.closedWith = error;
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }

  get size(): number {
    return this.waiting.size;
  }
}
