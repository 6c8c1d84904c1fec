import { isSbError, type ResultFrame, SbError } from '@switchboard/protocol';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import { isRetryable } from './retry-policy.ts';

/**
 * The state scopes the client watches. A watch lives on one gateway connection, so the client
 * remembers its watches and asks for them again on every new connection.
 */
export class StateWatches {
  private readonly scopes = new Set<string>();

  /** The gateway accepted a watch on `scope`. */
  add(scope: string): void {
    this.scopes.add(scope);
  }

  /** The client stopped watching `scope`. */
  delete(scope: string): void {
    this.scopes.delete(scope);
  }

  /** The watched scopes, in the order they were first watched. */
  list(): string[] {
    return [...this.scopes];
  }

  /**
   * Watches every remembered scope again over a new connection (`request` sends on it). A watch
   * the gateway refuses (e.g. a grant was revoked) is logged and forgotten; a failure of the
   * connection itself keeps it for the next one. Never throws.
   */
  async restore(
    request: (frame: OutgoingFrame) => Promise<ResultFrame>,
    log: SdkLogger,
  ): Promise<void> {
    // Sent together: the gateway answers a connection's frames in order, one round trip in all.
    await Promise.all(
      this.list().map(async (scope) => {
        try {
          await request({ type: 'state.watch', scope });
        } catch (error) {
          const failure = isSbError(error)
            ? error
            : new SbError('E_INTERNAL', `watching ${scope} again failed`, { cause: error });
          const lost = !isRetryable(failure);
          if (lost) this.scopes.delete(scope);
          log.warn({ err: failure, scope, forgotten: lost }, 'could not watch a state scope again');
        }
      }),
    );
  }
}
