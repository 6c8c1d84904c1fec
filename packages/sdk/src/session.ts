import {
  type AgentRegistration,
  batchWritesPerTurn,
  CloseCodes,
  type DeliverFrame,
  PROTOCOL_VERSION,
  type ReceiptFrame,
  RegisterResultSchema,
  type ResultFrame,
  type ResumeFrame,
  SbError,
  type StateChangedFrame,
  type TaskAbortFrame,
  type TaskChangedFrame,
  type TaskFrame,
  type ToolCallFrame,
} from '@switchboard/protocol';
import { errorOfFrame, type OutgoingFrame, parseServerFrame } from './frames.ts';
import { Heartbeat } from './heartbeat.ts';
import type { SdkLogger } from './logger.ts';
import { discardSocket } from './open-socket.ts';
import { PendingReplies, type ReplyFrame } from './pending-replies.ts';
import { SDK_NAME, SDK_VERSION } from './version.ts';
import type { WebSocketLike } from './websocket.ts';

/** How a connection ended: the WebSocket close code and reason (or the client's verdict). */
export interface SessionEnd {
  code: number;
  reason: string;
}

/** Who the gateway registered, on which connection, on which gateway instance. */
export interface Registration {
  agentId: string;
  connectionId: string;
  gatewayId: string;
}

const OPEN = 1;

/**
 * One connection to the gateway over an open socket: hello → welcome → register → result,
 * then heartbeats both ways and request/reply by frame id. It ends once; `closed` says how.
 */
export class Session {
  /** Resolves when the connection has ended, however it ended. */
  readonly closed: Promise<SessionEnd>;
  private readonly replies = new PendingReplies();
  private readonly heartbeat: Heartbeat;
  private version = PROTOCOL_VERSION;
  private end: SessionEnd | undefined;
  private resolveClosed: (end: SessionEnd) => void = () => undefined;
  /** Called before each write: the frames of one turn of the event loop leave together. */
  private readonly holdWrites: () => void;
  /**
   * Frame ids need only be unique on the connection: a counter (drawing a UUID for every frame
   * cost a busy agent 5 % of its CPU).
   */
  private frameCount = 0;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly options: {
      log: SdkLogger;
      /** An error frame that answers none of this session's requests. */
      onError(error: SbError): void;
      /** A message pushed to the agent; answer with {@link Session.notify} (`ack`/`nack`). */
      onDeliver(frame: DeliverFrame): void;
      /** A message the agent sent with `receipt: true` was acked. */
      onReceipt(frame: ReceiptFrame): void;
      /** A key of a watched state scope got a new version. */
      onStateChanged(frame: StateChangedFrame): void;
      /** The agent's status and state versions, pushed after register. */
      onResume(frame: ResumeFrame): void;
      /** Tasks: a task to execute, an attempt to stop, a watched task changed. */
      onTask(frame: TaskFrame): void;
      onTaskAbort(frame: TaskAbortFrame): void;
      onTaskChanged(frame: TaskChangedFrame): void;
      /** A call of a tool this agent provides; answer with {@link Session.notify} (`tool.result`). */
      onToolCall(frame: ToolCallFrame): void;
    },
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.holdWrites = batchWritesPerTurn(socket);
    this.heartbeat = new Heartbeat({
      ping: () => this.trySend({ type: 'ping' }),
      silent: (silentMs) =>
        this.terminate({
          code: CloseCodes.heartbeatTimeout,
          reason: `nothing arrived from the gateway for ${silentMs} ms`,
        }),
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', (event) => this.finish(event));
  }

  /** Says hello, starts heartbeats at the gateway's pace, and registers `agent`. */
  async register(agent: AgentRegistration, timeoutMs: number): Promise<Registration> {
    const welcome = await this.exchange(
      {
        type: 'hello',
        versions: [PROTOCOL_VERSION],
        client: { name: SDK_NAME, version: SDK_VERSION },
      },
      'hello',
      timeoutMs,
    );
    if (welcome.type !== 'welcome') {
      throw new SbError('E_INTERNAL', 'the gateway answered hello with a result, not a welcome');
    }
    this.version = welcome.version;
    this.heartbeat.start(welcome.heartbeatIntervalMs, welcome.heartbeatTimeoutMs);
    const reply = await this.request({ type: 'register', agent }, timeoutMs);
    const result = RegisterResultSchema.safeParse(reply.result);
    if (!result.success) {
      throw new SbError('E_INTERNAL', 'the gateway answered register without an agent id');
    }
    return { ...result.data, gatewayId: welcome.gatewayId };
  }

  /** True while frames can be sent. */
  get isOpen(): boolean {
    return this.end === undefined && this.socket.readyState === OPEN;
  }

  /**
   * Sends a request frame and resolves with its `result` frame; rejects with the gateway's
   * error, `E_TIMEOUT` after `timeoutMs`, `E_UNAVAILABLE` when the connection ends first, or
   * the abort reason of `signal`.
   */
  async request(
    frame: OutgoingFrame,
    timeoutMs: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<ResultFrame> {
    const what = `the ${frame.type} frame`;
    const reply = await this.exchange(frame, what, timeoutMs, options.signal);
    if (reply.type !== 'result') {
      throw new SbError('E_INTERNAL', `the gateway answered ${frame.type} with ${reply.type}`);
    }
    return reply;
  }

  /** Sends a frame that gets no reply (`ack`, `nack`); throws `E_UNAVAILABLE` when closed. */
  notify(frame: OutgoingFrame): void {
    this.send(this.nextFrameId(), frame);
  }

  /** Closes with `code` and waits for the end; cuts the socket if that takes over `timeoutMs`. */
  close(code: number, reason: string, timeoutMs: number): Promise<SessionEnd> {
    if (this.end === undefined) {
      this.heartbeat.stop();
      const timer = setTimeout(() => this.terminate({ code, reason }), timeoutMs);
      void this.closed.then(() => clearTimeout(timer));
      try {
        this.socket.close(code, reason);
      } catch {
        this.terminate({ code, reason });
      }
    }
    return this.closed;
  }

  /** Ends the session now with `end`, without waiting for the peer. */
  terminate(end: SessionEnd): void {
    this.finish(end);
    discardSocket(this.socket);
  }

  private exchange(
    frame: OutgoingFrame,
    what: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ReplyFrame> {
    const id = this.nextFrameId();
    const reply = this.replies.wait(id, what, timeoutMs, signal);
    try {
      this.send(id, frame);
    } catch (error) {
      this.replies.cancel(
        id,
        error instanceof SbError
          ? error
          : new SbError('E_UNAVAILABLE', `could not send ${what}`, { cause: error }),
      );
    }
    return reply;
  }

  private nextFrameId(): string {
    this.frameCount += 1;
    return `c${this.frameCount}`;
  }

  private send(id: string, frame: OutgoingFrame): void {
    if (!this.isOpen) {
      throw new SbError('E_UNAVAILABLE', 'not connected to the gateway');
    }
    this.holdWrites();
    this.socket.send(JSON.stringify({ v: this.version, id, ...frame }));
  }

  private trySend(frame: OutgoingFrame): void {
    try {
      this.send(this.nextFrameId(), frame);
    } catch {
      // The socket is closing: its close event ends the session.
    }
  }

  private receive(data: unknown): void {
    if (this.end !== undefined) return;
    this.heartbeat.heard();
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.options.log.debug({ reason: parsed.reason }, 'ignored a frame from the gateway');
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        this.trySend({ type: 'pong', re: frame.id });
        return;
      case 'pong':
        return;
      case 'welcome':
      case 'result':
        if (!this.replies.settle(frame)) {
          this.options.log.debug({ re: frame.re }, `ignored a ${frame.type} nobody waits for`);
        }
        return;
      case 'error':
        if (!this.replies.settle(frame)) this.options.onError(errorOfFrame(frame.error));
        return;
      case 'deliver':
        this.options.onDeliver(frame);
        return;
      case 'receipt':
        this.options.onReceipt(frame);
        return;
      case 'state.changed':
        this.options.onStateChanged(frame);
        return;
      case 'resume':
        this.options.onResume(frame);
        return;
      case 'tool.call':
        this.options.onToolCall(frame);
        return;
      case 'task':
        this.options.onTask(frame);
        return;
      case 'task.abort':
        this.options.onTaskAbort(frame);
        return;
      case 'task.changed':
        this.options.onTaskChanged(frame);
        return;
      default: {
        const unreachable: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private finish(end: SessionEnd): void {
    if (this.end !== undefined) return;
    this.end = { code: end.code, reason: end.reason };
    this.heartbeat.stop();
    const why = end.reason === '' ? `code ${end.code}` : `${end.code} ${end.reason}`;
    this.replies.close(
      new SbError('E_UNAVAILABLE', `the connection closed (${why}) before the gateway answered`),
    );
    this.resolveClosed(this.end);
  }
}
