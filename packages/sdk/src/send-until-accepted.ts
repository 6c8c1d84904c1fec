import {
  isSbError,
  type OutgoingMessage,
  type ResultFrame,
  SbError,
  type SendResult,
  SendResultSchema,
} from '@switchboard/protocol';
import { abortReason, sleep } from './abort.ts';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';

/** The part of a session a send uses. */
export interface SendSession {
  readonly isOpen: boolean;
  request(
    frame: OutgoingFrame,
    timeoutMs: number,
    options: { signal?: AbortSignal },
  ): Promise<ResultFrame>;
}

/** What {@link sendUntilAccepted} needs from the client. */
export interface SendChannel {
  /** The current session, waiting for a reconnect while there is none; rejects when `signal` aborts. */
  session(signal: AbortSignal): Promise<SendSession>;
  /** How long to wait before sending again after attempt `attempt` failed on an open session. */
  backoffMs(attempt: number): number;
  log: SdkLogger;
}

// The router may or may not have stored the message: with the same id a re-send is safe.
const resendable = new Set(['E_UNAVAILABLE', 'E_TIMEOUT']);

/**
 * Sends `message` until the router accepts it or `signal` aborts (the caller's deadline, its
 * own signal, or the client closing). A connection that drops before the answer, or a gateway
 * that answers `E_UNAVAILABLE` / `E_TIMEOUT` (no router answered it), makes it send the same
 * message again (same id: DESIGN.md, Wire protocol) on the next connection; any other error
 * rejects at once.
 */
export async function sendUntilAccepted(
  channel: SendChannel,
  message: OutgoingMessage,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SendResult> {
  for (let attempt = 1; ; attempt++) {
    const session = await channel.session(signal);
    let reply: ResultFrame;
    try {
      // The signal bounds the wait; the session's own timer is only a backstop.
      reply = await session.request({ type: 'send', message }, timeoutMs, { signal });
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      if (!isSbError(error) || !resendable.has(error.code)) throw error;
      channel.log.debug(
        { messageId: message.id, attempt, err: error },
        'the message was not accepted yet; sending it again',
      );
      // A dropped connection is waited out by `session()`; an open one that failed is paced.
      if (session.isOpen) await sleep(channel.backoffMs(attempt), signal);
      continue;
    }
    const result = SendResultSchema.safeParse(reply.result);
    if (!result.success) {
      throw new SbError('E_INTERNAL', 'the gateway answered send with an unexpected result', {
        cause: result.error,
      });
    }
    return result.data;
  }
}
