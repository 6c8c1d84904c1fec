import {
  type AgentRegistration,
  CloseCodes,
  type ResultFrame,
  SbError,
} from '@switchboard/protocol';
import { abortReason, allowManyListeners, sleep, withDeadline } from './abort.ts';
import type {
  AgentClient,
  ClientEvents,
  ClientListener,
  ClientState,
  Resumption,
} from './agent-client.ts';
import { TypedEmitter } from './emitter.ts';
import type { OutgoingFrame } from './frames.ts';
import { createLifecycleApi, type LifecycleApi } from './lifecycle-api.ts';
import { Messaging } from './messaging.ts';
import { MessagingClient } from './messaging-client.ts';
import { openSocket } from './open-socket.ts';
import type { ResolvedOptions } from './options.ts';
import { backoffDelayMs, isRetryable, retryAfterMsOf } from './retry-policy.ts';
import { type Registration, Session, type SessionEnd } from './session.ts';
import { createStateApi, type StateApi } from './state-api.ts';
import { StateWatches } from './state-watches.ts';
import { createTasksApi } from './tasks.ts';
import type { TasksApi } from './tasks-api.ts';
import { TaskExecutor } from './tasks-executor.ts';
import { TaskWaits } from './tasks-waits.ts';
import { createToolsApi, type ToolsApi } from './tools-api.ts';
import { ProvidedTools } from './tools-provided.ts';
import { Waiters } from './waiters.ts';
import type { WebSocketImplementation } from './websocket.ts';

// A gateway that does not answer a close within this is cut off.
const CLOSE_TIMEOUT_MS = 2000;

function toSbError(error: unknown): SbError {
  return error instanceof SbError
    ? error
    : new SbError('E_INTERNAL', `unexpected failure: ${String(error)}`, { cause: error });
}

/**
 * The client behind {@link AgentClient}: connects and registers, reconnects with backoff after
 * any drop (re-registering as the same agent), and carries requests over the current session;
 * messaging is delegated to {@link Messaging}.
 */
export class Client extends MessagingClient implements AgentClient {
  private readonly watches = new StateWatches();
  readonly store: StateApi = createStateApi((frame) => this.requestFrame(frame), {
    watches: this.watches,
    agentId: () => this.agentId,
  });
  readonly lifecycle: LifecycleApi = createLifecycleApi((frame) => this.requestFrame(frame));
  private readonly providedTools = new ProvidedTools();
  readonly tools: ToolsApi = createToolsApi(
    (frame, options) => this.requestFrame(frame, options),
    this.providedTools,
    () => this.options.requestTimeoutMs,
  );
  // Tasks: this agent's handlers and its waits for tasks to end.
  private readonly taskExecutor: TaskExecutor;
  private readonly taskWaits: TaskWaits;
  readonly tasks: TasksApi;
  private registration: Registration = { agentId: '', connectionId: '', gatewayId: '' };
  private currentState: ClientState = 'connecting';
  private latestResume: Resumption | undefined;
  private readonly events: TypedEmitter<ClientEvents>;
  private readonly lifetime = new AbortController();
  protected readonly messaging: Messaging;
  private readonly sessionWaiters = new Waiters<Session>();
  private session: Session | undefined;
  private reconnecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private agent: AgentRegistration;
  private readonly onSignalAbort = () => {
    const { signal } = this.options;
    const reason = new SbError('E_UNAVAILABLE', 'the connect signal was aborted', {
      cause: signal?.reason,
    });
    this.closing ??= this.shutdown(reason);
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly implementation: WebSocketImplementation,
  ) {
    super();
    allowManyListeners(this.lifetime.signal);
    this.agent = options.agent;
    this.events = new TypedEmitter((err, event) =>
      options.log.error({ err, event }, `a ${String(event)} listener threw`),
    );
    this.messaging = new Messaging({
      log: options.log,
      settings: options,
      lifetime: this.lifetime.signal,
      session: (signal) => this.nextSession(signal),
      backoffMs: (attempt) => backoffDelayMs(attempt, options.reconnect),
      notify: (frame) => this.notify(frame),
      request: (frame) => this.requestFrame(frame),
    });
    const request = (frame: OutgoingFrame) => this.requestFrame(frame);
    this.taskExecutor = new TaskExecutor({
      request,
      lifetime: this.lifetime.signal,
      backoffMs: (attempt) => backoffDelayMs(attempt, options.reconnect),
      log: options.log,
    });
    this.taskWaits = new TaskWaits({
      request,
      get: (taskId) => this.tasks.get(taskId),
      lifetime: this.lifetime.signal,
      log: options.log,
    });
    this.tasks = createTasksApi(request, {
      executor: this.taskExecutor,
      waits: this.taskWaits,
      lifetime: this.lifetime.signal,
      backoffMs: (attempt) => backoffDelayMs(attempt, options.reconnect),
      retryForMs: options.requestTimeoutMs,
    });
  }

  get agentId(): string {
    return this.registration.agentId;
  }

  get connectionId(): string {
    return this.registration.connectionId;
  }

  get gatewayId(): string {
    return this.registration.gatewayId;
  }

  get state(): ClientState {
    return this.currentState;
  }

  get lastResume(): Resumption | undefined {
    return this.latestResume;
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientListener<E>): () => void {
    return this.events.on(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: ClientListener<E>): void {
    this.events.off(event, listener);
  }

  /**
   * Connects and registers, trying again while the gateway is unreachable, up to
   * `connectTimeoutMs`; a refusal rejects at once.
   */
  async start(): Promise<void> {
    const { signal } = this.options;
    if (signal?.aborted === true) this.onSignalAbort();
    else signal?.addEventListener('abort', this.onSignalAbort, { once: true });
    const deadline = Date.now() + this.options.connectTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.establish();
        return;
      } catch (error) {
        if (this.lifetime.signal.aborted) throw abortReason(this.lifetime.signal);
        const failure = toSbError(error);
        const remainingMs = deadline - Date.now();
        if (!isRetryable(failure) || remainingMs <= 0) {
          this.currentState = 'closed';
          this.lifetime.abort(failure);
          throw failure;
        }
        const delayMs = Math.min(
          remainingMs,
          backoffDelayMs(attempt, this.options.reconnect, retryAfterMsOf(failure)),
        );
        this.options.log.warn({ err: failure, attempt, delayMs }, 'could not connect; retrying');
        await sleep(delayMs, this.lifetime.signal);
      }
    }
  }

  /**
   * Sends a request frame over the current connection and resolves with its `result` frame;
   * rejects with the gateway's error, `E_TIMEOUT`, or `E_UNAVAILABLE` when not connected or
   * when the connection ends before the reply.
   */
  requestFrame(frame: OutgoingFrame, options: { timeoutMs?: number } = {}): Promise<ResultFrame> {
    if (this.session === undefined) {
      return Promise.reject(
        new SbError('E_UNAVAILABLE', `not connected to the gateway (${this.currentState})`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    return this.session.request(frame, timeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown(new SbError('E_UNAVAILABLE', 'the client was closed'));
    return this.closing;
  }

  /** The open session, or the next one once the client has reconnected. */
  private nextSession(signal: AbortSignal): Promise<Session> {
    if (this.session?.isOpen === true && !signal.aborted) return Promise.resolve(this.session);
    return this.sessionWaiters.wait(signal);
  }

  /** Sends a frame without reply (`ack`, `nack`); false when not connected. */
  private notify(frame: OutgoingFrame): boolean {
    if (this.session?.isOpen !== true) return false;
    this.session.notify(frame);
    return true;
  }

  private async shutdown(reason: SbError): Promise<void> {
    this.currentState = 'closed';
    this.lifetime.abort(reason);
    this.messaging.close();
    this.taskExecutor.close();
    this.options.signal?.removeEventListener('abort', this.onSignalAbort);
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) {
      const end = await session.close(1000, 'the agent closed its connection', CLOSE_TIMEOUT_MS);
      this.options.log.info({ agentId: this.agentId, code: end.code }, 'closed');
      this.events.emit('disconnected', { ...end, willReconnect: false });
    }
    await this.reconnecting;
  }

  private async establish(): Promise<void> {
    const { url, handshakeTimeoutMs, requestTimeoutMs, log } = this.options;
    const deadline = withDeadline(this.lifetime.signal, handshakeTimeoutMs, 'connecting');
    let session: Session | undefined;
    // A resume that arrives while watches are restored waits for `connected`.
    let earlyResume: Resumption | undefined;
    const onAbort = () => session?.terminate({ code: 1000, reason: 'connecting was aborted' });
    deadline.signal.addEventListener('abort', onAbort);
    try {
      const token = await this.options.token();
      const socket = await openSocket({
        url,
        token,
        implementation: this.implementation,
        signal: deadline.signal,
      });
      session = new Session(socket, {
        log,
        onError: (error) => {
          log.warn({ err: error }, 'the gateway reported an error');
          this.events.emit('error', { error });
        },
        onDeliver: (frame) => this.messaging.receive(frame),
        onReceipt: ({ messageId, recipient, at }) =>
          this.events.emit('receipt', { messageId, recipient, at }),
        onStateChanged: ({ scope, key, version, op }) =>
          this.events.emit('stateChanged', { scope, key, version, op }),
        onToolCall: (frame) => {
          void this.providedTools
            .run(frame, (answer) => {
              // Not connected: the gateway already failed the call when the socket closed.
              if (!this.notify(answer)) log.debug({ callId: frame.callId }, 'a tool result lost');
            })
            .catch((err: unknown) => log.error({ err }, 'a tool call failed'));
        },
        onTask: (frame) => this.taskExecutor.receive(frame),
        onTaskAbort: (frame) => this.taskExecutor.abort(frame),
        onTaskChanged: (frame) => this.taskWaits.receive(frame),
        onResume: ({ status, state }) => {
          if (this.session !== undefined && this.session === session) {
            this.resumed({ status, state });
          } else {
            earlyResume = { status, state };
          }
        },
      });
      if (deadline.signal.aborted) onAbort();
      const registration = await session.register(this.agent, requestTimeoutMs);
      // Watches live on a connection: back in place before the client reports `connected`.
      const opened = session;
      await this.watches.restore((frame) => opened.request(frame, requestTimeoutMs), log);
      await this.providedTools.restore((frame) => opened.request(frame, requestTimeoutMs), log);
      await this.taskExecutor.restore((frame) => opened.request(frame, requestTimeoutMs));
      if (!opened.isOpen) {
        throw new SbError('E_UNAVAILABLE', 'the connection closed while restoring state watches');
      }
      if (deadline.signal.aborted) throw abortReason(deadline.signal);
      this.adopt(session, registration);
      if (earlyResume !== undefined) this.resumed(earlyResume);
    } catch (error) {
      if (deadline.signal.aborted) {
        onAbort();
        throw abortReason(deadline.signal);
      }
      // Refused (or the gateway misbehaved): leave politely; the close cuts off a silent peer.
      void session?.close(1000, 'the registration failed', CLOSE_TIMEOUT_MS);
      throw error;
    } finally {
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.clear();
    }
  }

  private resumed(resumption: Resumption): void {
    this.latestResume = resumption;
    this.events.emit('resumed', resumption);
  }

  private adopt(session: Session, registration: Registration): void {
    this.session = session;
    this.registration = registration;
    // Reconnects register as the same agent even if the credential would allow another.
    this.agent = { ...this.agent, id: registration.agentId };
    this.currentState = 'connected';
    this.options.log.info({ ...registration }, 'connected');
    void session.closed.then((end) => this.dropped(session, end));
    this.events.emit('connected', { ...registration });
    // Sends that were not accepted before the drop go again now.
    this.sessionWaiters.resolveAll(session);
    // Task waits watch again on this connection and read their tasks again.
    void this.taskWaits.restore((frame) => this.requestFrame(frame));
  }

  private dropped(session: Session, end: SessionEnd): void {
    if (this.session !== session) return;
    this.session = undefined;
    // close() reports its own disconnection.
    if (this.lifetime.signal.aborted) return;
    const log = this.options.log;
    if (end.code === CloseCodes.replaced || end.code === CloseCodes.credentialRevoked) {
      log.warn({ ...end, agentId: this.agentId }, 'disconnected for good');
      this.currentState = 'closed';
      this.lifetime.abort(new SbError('E_UNAVAILABLE', `disconnected for good: ${end.reason}`));
      this.events.emit('disconnected', { ...end, willReconnect: false });
      if (end.code === CloseCodes.credentialRevoked) {
        const error = new SbError(
          'E_UNAUTHORIZED',
          `the gateway ended the connection: ${end.reason || 'the credential was revoked'}; connect again with a valid credential`,
        );
        this.events.emit('error', { error });
      }
      return;
    }
    log.warn({ ...end, agentId: this.agentId }, 'disconnected; reconnecting');
    this.currentState = 'reconnecting';
    this.events.emit('disconnected', { ...end, willReconnect: true });
    this.reconnecting = this.reconnect().catch((err: unknown) =>
      log.error({ err }, 'the reconnect loop failed'),
    );
  }

  private async reconnect(): Promise<void> {
    let lastFailure: SbError | undefined;
    for (let attempt = 1; !this.lifetime.signal.aborted; attempt++) {
      const delayMs = backoffDelayMs(attempt, this.options.reconnect, retryAfterMsOf(lastFailure));
      this.events.emit('reconnecting', { attempt, delayMs });
      try {
        await sleep(delayMs, this.lifetime.signal);
        await this.establish();
        return;
      } catch (error) {
        if (this.lifetime.signal.aborted) return;
        lastFailure = toSbError(error);
        const willRetry = isRetryable(lastFailure);
        this.options.log.warn({ err: lastFailure, attempt, willRetry }, 'reconnect failed');
        if (!willRetry) {
          this.currentState = 'closed';
          this.lifetime.abort(lastFailure);
        }
        this.events.emit('error', { error: lastFailure });
      }
    }
  }
}
