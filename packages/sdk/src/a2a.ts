import {
  A2aHeaders,
  type A2aInbound,
  A2aInboundSchema,
  type A2aMessage,
  type A2aPart,
  type A2aTaskUpdate,
  type DeliveredMessage,
  isSbError,
  type JsonValue,
  SbError,
  validationError,
} from '@switchboard/protocol';
import {
  scheduleWorkingReport,
  type WorkingReport,
  workingReportDelayMs,
  workingReportUpdate,
} from './a2a-working-report.ts';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import type { MessageHandler } from './messaging-api.ts';
import { type IdempotentRetry, retryIdempotent } from './retry-idempotent.ts';

/** What an agent may answer with: text, parts (`{ parts }`), or any other JSON as a data part. */
export type A2aReply = string | { parts: A2aPart[] } | JsonValue;

/** An A2A message a remote client sent to this agent (through the a2a-peer). */
export interface A2aRequest {
  taskId: string;
  /** The A2A conversation; also the router message's `conversationId`. */
  contextId: string;
  /** The skill asked for, when the message came through the orchestrator's card. */
  skill: string | null;
  message: A2aMessage;
  /** The text parts, joined by newlines. */
  text: string;
  /** The data parts' values. */
  data: JsonValue[];
  /** The router message that carried it. */
  delivered: DeliveredMessage;
}

/** An artifact (or a chunk of one: `append` to the artifact of the same id). */
export interface A2aArtifactInput {
  /** Defaults to `artifact-<n>`, counting this task's artifacts. */
  artifactId?: string;
  name?: string;
  description?: string;
  content: A2aReply;
  append?: boolean;
  lastChunk?: boolean;
}

/** The A2A task an agent works on: it reports progress, artifacts and the outcome. */
export interface A2aTask {
  readonly taskId: string;
  /** Aborts when the caller cancels the task. */
  readonly signal: AbortSignal;
  /**
   * Reports progress. Without it the SDK reports `working` (no message) by itself once the
   * handler has run the client's `a2aWorkingDelayMs` without reporting anything.
   */
  working(message?: A2aReply): Promise<void>;
  artifact(artifact: A2aArtifactInput): Promise<void>;
  /** Asks the caller for more; the caller's next message comes as a new request on this task. */
  requireInput(message: A2aReply): Promise<void>;
  requireAuth(message: A2aReply): Promise<void>;
  complete(message?: A2aReply): Promise<void>;
  fail(message: A2aReply): Promise<void>;
  reject(message: A2aReply): Promise<void>;
}

/**
 * Answers A2A messages. The value it returns completes the task (unless the handler already
 * ended it or asked for input); a throw fails it with the error's message.
 */
export type A2aHandler = (request: A2aRequest, task: A2aTask) => Promise<A2aReply | undefined>;

/** The A2A half of the client. */
export interface A2aApi {
  /**
   * Sets the handler of A2A messages (returns a function that removes it). Without one, A2A
   * messages go to the `onMessage` handler, whose return value completes the task. An agent is
   * published over A2A when it registers the label `a2a: public`.
   */
  serve(handler: A2aHandler): () => void;
}

/** The parts a reply stands for. */
export function partsOf(reply: A2aReply): A2aPart[] {
  if (typeof reply === 'string') return [{ text: reply }];
  if (
    reply !== null &&
    typeof reply === 'object' &&
    !Array.isArray(reply) &&
    Array.isArray((reply as { parts?: unknown }).parts)
  ) {
    return (reply as { parts: A2aPart[] }).parts;
  }
  return [{ data: reply }];
}

const ENDED = new Set(['completed', 'failed', 'canceled', 'rejected']);
const INTERRUPTED = new Set(['input-required', 'auth-required']);

/** True when the delivered message is an A2A message or cancel the a2a-peer sent. */
export const isA2aMessage = (message: DeliveredMessage): boolean =>
  message.headers[A2aHeaders.task] !== undefined;

/** True for the a2a-peer's notice that a task was cancelled (handled without waiting). */
export const isA2aCancel = (message: DeliveredMessage): boolean =>
  isA2aMessage(message) && message.headers[A2aHeaders.kind] === 'cancel';

/**
 * Runs the A2A messages an agent receives: builds the request and the task handle, sends the
 * handler's updates as `a2a.update` frames (ids `<message id>:<n>`, so a redelivered message's
 * updates are applied once), reports `working` for a handler still running after
 * `workingDelayMs` that has reported nothing, and aborts a running handler when its task is
 * cancelled.
 */
export class A2aInbox implements A2aApi {
  private handler: A2aHandler | undefined;
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly host: {
      request(frame: OutgoingFrame): Promise<unknown>;
      log: SdkLogger;
      /** How long a handler runs before `working` is reported for it (the client option). */
      workingDelayMs: number;
      /** How an update that was not answered, or was throttled, is sent again. */
      retry: IdempotentRetry;
    },
  ) {}

  serve(handler: A2aHandler): () => void {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** True when there is an A2A handler (so A2A messages need no message handler). */
  get serving(): boolean {
    return this.handler !== undefined;
  }

  /** Handles one A2A message; `fallback` is the message handler, used when none serves A2A. */
  async handle(
    message: DeliveredMessage,
    fallback: MessageHandler | undefined,
    context: { deliveryId: string; attempt: number },
  ): Promise<void> {
    const taskId = message.headers[A2aHeaders.task] as string;
    if (message.headers[A2aHeaders.kind] === 'cancel') {
      this.running.get(taskId)?.abort(new SbError('E_CONFLICT', `task ${taskId} was canceled`));
      return;
    }
    if (this.handler === undefined && fallback === undefined) {
      // Nacked: the router delivers it again, by when a handler may be set.
      throw new SbError('E_UNAVAILABLE', 'this agent has no handler for A2A messages yet');
    }
    const parsed = A2aInboundSchema.safeParse(message.payload);
    if (!parsed.success) throw validationError('the A2A message', parsed.error);
    const inbound: A2aInbound = parsed.data;
    const controller = new AbortController();
    this.running.set(taskId, controller);
    let sent = 0;
    let state: string | undefined;
    let report: WorkingReport | undefined;
    const update = async (fields: Omit<A2aTaskUpdate, 'taskId' | 'updateId'>) => {
      if (state !== undefined && ENDED.has(state)) {
        throw new SbError('E_CONFLICT', `task ${taskId} has ended (${state})`);
      }
      sent += 1;
      const updateId = `${message.id}:${sent}`;
      report?.cancel();
      // An automatic report in flight lands first: were the two to cross, its `working` could
      // land after the handler's own update and undo it (an `input-required`, say).
      await report?.settled();
      try {
        // Its update id makes a second try harmless: the A2A peer applies each id once.
        await retryIdempotent(
          () => this.host.request({ type: 'a2a.update', taskId, updateId, ...fields }),
          this.host.retry,
        );
      } catch (error) {
        // The task ended elsewhere (cancelled): stop the handler.
        if (isSbError(error) && error.code === 'E_CONFLICT') controller.abort(error);
        throw error;
      }
      if (fields.status !== undefined) state = fields.status.state;
    };
    const status = (next: NonNullable<A2aTaskUpdate['status']>['state'], reply?: A2aReply) =>
      update({
        status:
          reply === undefined
            ? { state: next }
            : { state: next, message: { parts: partsOf(reply) } },
      });
    let artifacts = 0;
    const task: A2aTask = {
      taskId,
      signal: controller.signal,
      working: (reply) => status('working', reply),
      artifact: async (input) => {
        artifacts += 1;
        await update({
          artifact: {
            artifactId: input.artifactId ?? `artifact-${artifacts}`,
            parts: partsOf(input.content),
            ...(input.name === undefined ? {} : { name: input.name }),
            ...(input.description === undefined ? {} : { description: input.description }),
            ...(input.append === undefined ? {} : { append: input.append }),
            ...(input.lastChunk === undefined ? {} : { lastChunk: input.lastChunk }),
          },
        });
      },
      requireInput: (reply) => status('input-required', reply),
      requireAuth: (reply) => status('auth-required', reply),
      complete: (reply) => status('completed', reply),
      fail: (reply) => status('failed', reply),
      reject: (reply) => status('rejected', reply),
    };
    const request: A2aRequest = {
      taskId,
      contextId: inbound.contextId,
      skill: inbound.skill,
      message: inbound.message,
      text: inbound.message.parts
        .flatMap((part) => (part.text === undefined ? [] : [part.text]))
        .join('\n'),
      data: inbound.message.parts.flatMap((part) =>
        part.data === undefined ? [] : [part.data as JsonValue],
      ),
      delivered: message,
    };
    // A follow-up (the caller's message names its task) finds the task `working` already: the
    // A2A peer moves it there before routing the message. A first message leaves it
    // `submitted`, which callers see as no progress and which the peer's undelivered sweep
    // fails once the message's time to live has long passed.
    const followUp = inbound.message.taskId !== undefined && inbound.message.taskId !== '';
    if (!followUp) {
      report = scheduleWorkingReport({
        delayMs: workingReportDelayMs(this.host.workingDelayMs, message.expiresAt, Date.now()),
        isNeeded: () => sent === 0 && !controller.signal.aborted,
        send: () =>
          this.host
            .request({ type: 'a2a.update', ...workingReportUpdate(taskId, message.id) })
            .then(() => undefined),
        onError: (error) => {
          // The task ended before the handler said anything (cancelled, or failed as
          // undelivered): its work is moot, as when one of its own updates hears so.
          if (isSbError(error) && error.code === 'E_CONFLICT' && sent === 0) {
            controller.abort(error);
          }
          this.host.log.debug({ err: error, taskId }, 'could not report the A2A task working');
        },
      });
    }
    const handler = this.handler;
    try {
      const value =
        handler !== undefined
          ? await handler(request, task)
          : await (fallback as MessageHandler)(message, context);
      // A cancelled task takes no outcome; one that ended or waits for the caller keeps its own.
      const open = state === undefined || (!ENDED.has(state) && !INTERRUPTED.has(state));
      if (open && !controller.signal.aborted) {
        await task.complete(value === undefined ? undefined : (value as A2aReply));
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      this.host.log.warn({ err: error, taskId }, 'the A2A handler failed');
      await task.fail(error instanceof Error ? error.message : String(error));
    } finally {
      report?.cancel();
      if (this.running.get(taskId) === controller) this.running.delete(taskId);
    }
  }
}
