import {
  type DeliveredMessage,
  type DeliverFrame,
  isSbError,
  type JsonValue,
} from '@switchboard/protocol';
import type { Correlations } from './correlations.ts';
import { type Claim, DuplicateFilter } from './duplicate-filter.ts';
import type { ExpiringIdsOptions } from './expiring-ids.ts';
import type { SdkLogger } from './logger.ts';
import type { MessageHandler } from './messaging-api.ts';
import { type DeliveryOutcome, outcomeOfError } from './outcome.ts';

/** What an {@link Inbox} needs around it. */
export interface InboxOptions {
  /** How many handler calls may run at once (1: one at a time, in order of arrival). */
  concurrency: number;
  /** Control messages (an A2A cancel) that run at once, beside the handler calls in progress. */
  runsAtOnce?: (message: DeliveredMessage) => boolean;
  /** How long, and how many, handled message ids are remembered. */
  dedup: ExpiringIdsOptions;
  /** The client's requests waiting for replies. */
  correlations: Correlations;
  /** Answers a delivery (dropped when not connected: the router delivers it again). */
  answer(deliveryId: string, outcome: DeliveryOutcome): void;
  /** Sends `payload` to `replyTo` as the reply to `request`; resolves once it is accepted. */
  reply(replyTo: string, request: DeliveredMessage, payload: JsonValue): Promise<unknown>;
  log: SdkLogger;
}

interface Job {
  frame: DeliverFrame;
  claim: Extract<Claim<DeliveryOutcome>, { kind: 'first' }>;
}

/**
 * Takes the deliveries pushed to the agent: drops duplicates (acking them again), hands replies
 * to the requests waiting for them, and runs the handler on the rest, `concurrency` at a time
 * in order of arrival, holding them while no handler is set. Acks what the handler took, nacks
 * what it threw on, and sends its return value back when the sender asked for a reply.
 */
export class Inbox {
  private readonly duplicates: DuplicateFilter<DeliveryOutcome>;
  /**
   * Replies the handler returned but that could not be sent (the mesh was failing), by message
   * id: the delivery is nacked so the router brings it again, and that copy sends the kept reply
   * instead of running the handler a second time (a handler sees a message once).
   */
  private readonly unsentReplies = new Map<string, JsonValue>();
  private readonly waiting: Job[] = [];
  private handler: MessageHandler | undefined;
  private running = 0;
  private closed = false;

  constructor(private readonly options: InboxOptions) {
    this.duplicates = new DuplicateFilter(options.dedup);
  }

  /** How many deliveries wait for the handler (or for a free slot). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Sets the handler; returns a function that removes it (if it is still the one set). */
  setHandler(handler: MessageHandler): () => void {
    this.handler = handler;
    this.pump();
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** Takes one `deliver` frame. */
  receive(frame: DeliverFrame): void {
    if (this.closed) return;
    const { deliveryId, message } = frame;
    const log = this.options.log;
    const claim = this.duplicates.claim(message.id);
    switch (claim.kind) {
      case 'handled':
        log.debug({ messageId: message.id, deliveryId }, 'acked a duplicate delivery');
        this.answer(deliveryId, { kind: 'ack' });
        return;
      case 'pending':
        log.debug({ messageId: message.id, deliveryId }, 'a duplicate waits for its first copy');
        void claim.outcome.then((outcome) => this.answer(deliveryId, outcome));
        return;
      case 'first':
        break;
      default: {
        const unreachable: never = claim;
        throw new Error(`unhandled claim ${JSON.stringify(unreachable)}`);
      }
    }
    const correlation = this.options.correlations.take(message);
    if (correlation !== 'none') {
      if (correlation === 'late') {
        log.debug(
          { messageId: message.id, correlationId: message.correlationId },
          'dropped a reply that came after its request ended',
        );
      }
      this.finish({ frame, claim }, { kind: 'ack' });
      return;
    }
    const handler = this.handler;
    if (handler !== undefined && this.options.runsAtOnce?.(message) === true) {
      void this.run({ frame, claim }, handler);
      return;
    }
    this.waiting.push({ frame, claim });
    this.pump();
  }

  /**
   * Stops: waiting deliveries are dropped and nothing more is answered (the router delivers
   * them again); handler calls already running finish on their own.
   */
  close(): void {
    this.closed = true;
    this.handler = undefined;
    for (const job of this.waiting.splice(0)) {
      job.claim.settle(outcomeOfError(new Error('the client closed')), false);
    }
  }

  private pump(): void {
    while (this.handler !== undefined && this.running < this.options.concurrency) {
      const job = this.waiting.shift();
      if (job === undefined) return;
      this.running += 1;
      void this.run(job, this.handler).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(job: Job, handler: MessageHandler): Promise<void> {
    const { deliveryId, attempt, message } = job.frame;
    let outcome: DeliveryOutcome = { kind: 'ack' };
    try {
      // `has`, not `??`: a kept reply may be JSON null.
      const value = this.unsentReplies.has(message.id)
        ? this.unsentReplies.get(message.id)
        : await handler(message, { deliveryId, attempt });
      if (message.replyTo !== null && value !== undefined) {
        try {
          await this.options.reply(message.replyTo, message, value as JsonValue);
          this.unsentReplies.delete(message.id);
        } catch (error) {
          this.keepReply(message.id, value as JsonValue);
          throw error;
        }
      }
    } catch (error) {
      outcome = outcomeOfError(error);
      const fields = { messageId: message.id, deliveryId, attempt, err: error };
      // Not an SbError: a bug in the handler, which a person must look at.
      if (isSbError(error)) this.options.log.warn(fields, 'the handler failed');
      else this.options.log.error(fields, 'the handler failed');
    }
    this.finish(job, outcome);
  }

  private keepReply(messageId: string, value: JsonValue): void {
    this.unsentReplies.delete(messageId);
    this.unsentReplies.set(messageId, value);
    // Bounded like the duplicate window: the oldest kept reply goes first (its request is long
    // timed out by then).
    if (this.unsentReplies.size > this.options.dedup.maxEntries) {
      const oldest = this.unsentReplies.keys().next().value as string;
      this.unsentReplies.delete(oldest);
    }
  }

  private finish(job: Job, outcome: DeliveryOutcome): void {
    job.claim.settle(outcome, outcome.kind === 'ack');
    this.answer(job.frame.deliveryId, outcome);
  }

  // Once closed nothing is answered: the router delivers it again to the next connection.
  private answer(deliveryId: string, outcome: DeliveryOutcome): void {
    if (!this.closed) this.options.answer(deliveryId, outcome);
  }
}
