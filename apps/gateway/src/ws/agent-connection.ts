import type { Principal } from '@switchboard/authz';
import type { Logger } from '@switchboard/logger';
import {
  type AckFrame,
  type AgentRegistration,
  batchWritesPerTurn,
  type ClientFrame,
  CloseCodes,
  type DeliverFrame,
  type DisconnectReason,
  type FrameError,
  isSbError,
  type NackFrame,
  PROTOCOL_VERSION,
  type PushMissReason,
  parseClientFrame,
  type ReceiptFrame,
  type RegisterResult,
  type ResumeFrame,
  SbError,
  type ServerFrame,
  type ServiceFrame,
  type StateChangedFrame,
  type StateUnwatchFrame,
  type StateWatchFrame,
  type TaskAbortFrame,
  type TaskChangedFrame,
  type TaskFrame,
  type TaskUnwatchFrame,
  type TaskWatchFrame,
  type ToolOutcome,
  type ToolResultFrame,
  toErrorBody,
} from '@switchboard/protocol';
import type { RawData, WebSocket } from 'ws';
import { PendingToolCalls } from '../tools/pending-tool-calls.ts';
import { PendingRequests } from './pending-requests.ts';
import { UnansweredPushes } from './unanswered-pushes.ts';

/** The limits and timers of a connection; read on every use (they are live settings). */
export interface ConnectionSettings {
  maxFrameBytes: number;
  maxPayloadBytes: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  maxBadFrames: number;
  /** Bytes waiting to be written to the socket above which pushes are refused. */
  maxQueuedBytes: number;
  /** Pipelined `send` frames a connection may have waiting for the router. */
  maxPendingRequests: number;
}

/** What the gateway does for a connection: registration, liveness, and the end of it. */
export interface ConnectionHandlers {
  register(
    connection: AgentConnection,
    registration: AgentRegistration,
  ): Promise<{ agentId: string }>;
  /**
   * The register result was sent to the agent (first connection or reconnect): what follows it
   * on the connection, such as the `resume` push, starts here. Must not throw.
   */
  registered(connection: AgentConnection, agentId: string): void;
  /** The agent answered (any frame): presence is refreshed. */
  alive(connection: AgentConnection): void;
  /** Admits one frame under the credential's rate limit; throws `E_RATE_LIMITED`. */
  admit(connection: AgentConnection): Promise<void>;
  closed(connection: AgentConnection, reason: DisconnectReason): void;
  /**
   * Forwards a frame to its service's RPC on behalf of the registered agent `agentId`; resolves
   * with the result, rejects with the service's (or the bus's) error.
   */
  forward(connection: AgentConnection, agentId: string, frame: ServiceFrame): Promise<unknown>;
  /** Takes an `ack` or `nack` of the registered agent `agentId`; it is not answered. */
  acknowledge(connection: AgentConnection, agentId: string, frame: AckFrame | NackFrame): void;
  /** Starts a state watch once the scope's owner allows it; resolves with its `{ scope }`. */
  watch(connection: AgentConnection, agentId: string, frame: StateWatchFrame): Promise<unknown>;
  /** Ends a state watch of this connection; returns `{ removed }`. */
  unwatch(connection: AgentConnection, agentId: string, frame: StateUnwatchFrame): unknown;
  /** Starts a task watch once the task worker allows it; resolves with where the task stands. */
  watchTask(connection: AgentConnection, agentId: string, frame: TaskWatchFrame): Promise<unknown>;
  /** Ends a task watch of this connection; returns `{ removed }`. */
  unwatchTask(connection: AgentConnection, agentId: string, frame: TaskUnwatchFrame): unknown;
}

/**
 * A push the gateway writes to an agent: a message to handle, a receipt, a state change, the
 * status and state versions it resumes with.
 */
export type PushFrame = DistributiveOmit<
  | DeliverFrame
  | ReceiptFrame
  | StateChangedFrame
  | ResumeFrame
  // Tasks.
  | TaskFrame
  | TaskAbortFrame
  | TaskChangedFrame,
  'v' | 'id'
>;

const SUPPORTED_VERSIONS = [PROTOCOL_VERSION];
/** Frames read but not yet handled before the socket stops reading (TCP pushes back). */
const MAX_QUEUED_FRAMES = 64;

/** The close code and reason text an agent sees for each way the gateway ends a connection. */
const closeFor: Record<Exclude<DisconnectReason, 'closed' | 'gateway_lost'>, [number, string]> = {
  replaced: [CloseCodes.replaced, 'replaced by a newer connection of the same agent'],
  heartbeat_timeout: [CloseCodes.heartbeatTimeout, 'no frame within the heartbeat timeout'],
  bad_frames: [CloseCodes.tooManyBadFrames, 'too many malformed frames'],
  operator: [CloseCodes.disconnected, 'disconnected by an operator'],
  credential_revoked: [CloseCodes.credentialRevoked, 'the credential was revoked'],
  // Going away, not revoked: the agent reconnects and acts with the role's new grants.
  credential_changed: [
    CloseCodes.goingAway,
    'the grants of a role of the credential changed; reconnect',
  ],
  gateway_stopped: [CloseCodes.goingAway, 'the gateway is stopping; reconnect'],
};

/** The id of a frame too large to parse, read off its start when it is there. */
function peekFrameId(text: string): string | null {
  return /"id"\s*:\s*"([^"\\]{1,128})"/.exec(text.slice(0, 512))?.[1] ?? null;
}

/**
 * One agent's WebSocket: the hello/welcome handshake, frames in and out, heartbeats both ways,
 * and the limits. Malformed input gets an error frame naming the offending frame and the
 * connection stays, up to `maxBadFrames` in a row.
 */
export class AgentConnection {
  readonly connectionId: string;
  readonly principal: Principal;
  agentId: string | undefined;
  /** The connection's logger; it names the agent once one is registered. */
  private log: Logger;
  private version: number | undefined;
  private badFrames = 0;
  private lastSeenAt = Date.now();
  private nextFrameId = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;
  // Frames are handled one at a time, in arrival order (hello before register, a rate-limit
  // budget spent in order); a flooding client is paused instead of queueing without bound.
  private inbox: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly sends = new PendingRequests();
  private readonly reads = new PendingRequests();
  // Tool calls the agent makes wait apart from its reads: a call may run long.
  private readonly calls = new PendingRequests();
  // Tool calls written to the agent (it provides the tool), bound to this socket.
  private readonly toolCalls = new PendingToolCalls();
  // Deliveries and tasks written to the agent, until it answers them.
  private readonly unanswered = new UnansweredPushes();

  /** Called before each write: the frames of one turn of the event loop leave together. */
  private readonly holdWrites: () => void;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: {
      connectionId: string;
      gatewayId: string;
      principal: Principal;
      settings: () => ConnectionSettings;
      handlers: ConnectionHandlers;
      log: Logger;
    },
  ) {
    this.connectionId = context.connectionId;
    this.principal = context.principal;
    this.log = context.log;
    this.holdWrites = batchWritesPerTurn(socket);
  }

  /** Starts reading frames and the heartbeat. */
  start(): void {
    // ws closes an over-long frame with 1009 and no reason; DESIGN.md wants the error code there.
    const close = this.socket.close.bind(this.socket);
    this.socket.close = (code?: number, reason?: string | Buffer) =>
      close(code, code === CloseCodes.tooLarge && !reason ? 'E_PAYLOAD_TOO_LARGE' : reason);
    this.socket.on('message', (data, isBinary) => {
      this.queued += 1;
      if (this.queued === MAX_QUEUED_FRAMES) this.socket.pause();
      this.inbox = this.inbox
        .then(() => this.receive(data, isBinary))
        .catch((err: unknown) => this.log.error({ err }, 'failed to handle a frame'))
        .finally(() => {
          this.queued -= 1;
          if (this.queued === MAX_QUEUED_FRAMES - 1) this.socket.resume();
        });
    });
    this.socket.on('close', (code) =>
      this.end(code === CloseCodes.tooLarge ? 'bad_frames' : 'closed'),
    );
    this.socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    this.scheduleHeartbeat();
  }

  /** Ends the connection for `reason` (idempotent). */
  close(reason: keyof typeof closeFor): void {
    const [code, text] = closeFor[reason];
    this.end(reason);
    // A silent peer may be half-open and never complete the closing handshake: cut it.
    if (reason === 'heartbeat_timeout') this.socket.terminate();
    else this.socket.close(code, text);
  }

  private end(reason: DisconnectReason): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.heartbeat);
    this.toolCalls.close(
      new SbError(
        'E_UNAVAILABLE',
        `the provider agent ${this.agentId ?? '(unregistered)'} disconnected (${reason}) before it answered the tool call`,
      ),
    );
    this.context.handlers.closed(this, reason);
  }

  private scheduleHeartbeat(): void {
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.context.settings();
    this.heartbeat = setTimeout(
      () => {
        if (this.ended) return;
        if (Date.now() - this.lastSeenAt > heartbeatTimeoutMs) {
          this.close('heartbeat_timeout');
          return;
        }
        if (this.version !== undefined) this.send({ type: 'ping' });
        this.scheduleHeartbeat();
      },
      Math.min(heartbeatIntervalMs, heartbeatTimeoutMs / 2),
    );
  }

  /**
   * Writes a push to the agent, or says why not: the connection is not registered or has ended
   * (`not_connected`), or more than `maxQueuedBytes` already wait to reach a slow agent
   * (`backpressure`; the router retries it later instead of piling it up here).
   */
  push(frame: PushFrame): 'written' | PushMissReason {
    if (this.ended || this.agentId === undefined || this.socket.readyState !== this.socket.OPEN) {
      return 'not_connected';
    }
    if (this.socket.bufferedAmount > this.context.settings().maxQueuedBytes) return 'backpressure';
    this.send(frame);
    if (frame.type === 'deliver') this.unanswered.pushed({ delivery: frame.deliveryId });
    if (frame.type === 'task') this.unanswered.pushed(frame);
    return 'written';
  }

  /**
   * Writes a `tool.call` to the registered agent and resolves with its `tool.result`; rejects
   * with `E_UNAVAILABLE` when the connection is gone or ends first, `E_TIMEOUT` at `deadline`.
   */
  callTool(call: {
    callId: string;
    name: string;
    version: string;
    arguments: Record<string, unknown>;
    deadline: string;
  }): Promise<ToolOutcome> {
    if (this.ended || this.agentId === undefined) {
      return Promise.reject(
        new SbError('E_UNAVAILABLE', 'the provider agent is no longer connected here'),
      );
    }
    const answer = this.toolCalls.wait(call.callId, Date.parse(call.deadline));
    this.send({
      type: 'tool.call',
      callId: call.callId,
      name: call.name,
      version: call.version,
      arguments: call.arguments as ToolCallArguments,
      deadline: call.deadline,
    });
    return answer;
  }

  private toolResult(frame: ToolResultFrame): void {
    if (!this.toolCalls.settle(frame)) {
      this.log.debug({ callId: frame.callId }, 'a tool.result nobody waits for (late or unknown)');
    }
  }

  private send(frame: DistributiveOmit<ServerFrame, 'v' | 'id'>): void {
    if (this.ended) return;
    this.nextFrameId += 1;
    this.holdWrites();
    this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, id: `g${this.nextFrameId}`, ...frame }));
  }

  private refuse(re: string | null, error: FrameError, counts: boolean): void {
    this.send({ type: 'error', re, error });
    if (!counts) return;
    this.badFrames += 1;
    if (this.badFrames >= this.context.settings().maxBadFrames) this.close('bad_frames');
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    this.lastSeenAt = Date.now();
    this.context.handlers.alive(this);
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const text = bytes.toString('utf8');
    if (isBinary) {
      this.refuse(
        peekFrameId(text),
        { code: 'E_VALIDATION', message: 'frames are JSON text, not binary' },
        true,
      );
      return;
    }
    const { maxPayloadBytes } = this.context.settings();
    if (bytes.length > maxPayloadBytes) {
      const message = `the frame is ${bytes.length} bytes; the limit is ${maxPayloadBytes}`;
      this.refuse(peekFrameId(text), { code: 'E_PAYLOAD_TOO_LARGE', message }, true);
      return;
    }
    const parsed = parseClientFrame(text, SUPPORTED_VERSIONS);
    if (!parsed.ok) {
      this.refuse(parsed.re, parsed.error, true);
      return;
    }
    this.badFrames = 0;
    if (!this.answersPush(parsed.frame)) {
      try {
        await this.context.handlers.admit(this);
      } catch (error) {
        if (!isSbError(error)) throw error;
        const retryAfterMs = error.details?.retryAfterMs;
        this.refuse(
          parsed.frame.id,
          { ...toErrorBody(error), ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}) },
          false,
        );
        return;
      }
    }
    await this.handle(parsed.frame);
  }

  /**
   * Whether a frame answers what the gateway pushed and still waits for: such answers are never
   * throttled. Refusing a heartbeat answer would cut a well-behaved agent off; refusing the
   * others frees nothing: the router pushes a message again after its ack timeout (and until
   * then it holds a place of the agent's `maxInFlight`, so the agent receives nothing new), a
   * task runs again once its lease lapses, a tool call fails. How many there are is bounded by
   * the pushes.
   */
  private answersPush(frame: ClientFrame): boolean {
    switch (frame.type) {
      case 'pong':
        return true;
      case 'ack':
      case 'nack':
        return this.unanswered.answered({ delivery: frame.deliveryId });
      case 'task.complete':
        return this.unanswered.answered(frame);
      case 'tool.result':
        return this.toolCalls.isWaiting(frame.callId);
      default:
        return false;
    }
  }

  private async handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'hello':
        return this.hello(frame.id, frame.versions);
      case 'register':
        return this.register(frame.id, frame.agent);
      case 'ping':
        return this.send({ type: 'pong', re: frame.id });
      case 'pong':
        return;
      case 'state.get':
      case 'state.history':
      case 'lifecycle.get':
      case 'subscriptions':
      case 'dlq.list':
      case 'dlq.get':
      case 'tools.list':
      case 'tools.get':
        return this.pipeline(this.reads, frame);
      case 'tools.call':
        return this.pipeline(this.calls, frame);
      case 'tool.result':
        return this.toolResult(frame);
      case 'state.put':
      case 'state.patch':
      case 'state.delete':
      case 'lifecycle.transition':
      case 'subscribe':
      case 'unsubscribe':
      case 'dlq.replay':
      case 'dlq.purge':
      case 'tools.register':
        return this.forwardInOrder(frame);
      case 'state.watch':
        return this.answer(frame, (agentId) => this.context.handlers.watch(this, agentId, frame));
      // Tasks: reads and reports are pipelined like sends; changes keep their order.
      case 'task.get':
      case 'task.list':
      case 'task.history':
      case 'task.types.get':
        return this.pipeline(this.reads, frame);
      case 'task.submit':
      case 'task.progress':
      case 'task.complete':
      case 'task.heartbeat':
        return this.pipeline(this.sends, frame);
      case 'task.cancel':
      case 'task.types.register':
      case 'task.executor':
      // An A2A task's updates keep their order (status after the artifacts it concludes).
      case 'a2a.update':
        return this.forwardInOrder(frame);
      case 'task.watch':
        return this.answer(frame, (agentId) =>
          this.context.handlers.watchTask(this, agentId, frame),
        );
      case 'task.unwatch':
        return this.answer(frame, async (agentId) =>
          this.context.handlers.unwatchTask(this, agentId, frame),
        );
      case 'state.unwatch':
        return this.answer(frame, async (agentId) =>
          this.context.handlers.unwatch(this, agentId, frame),
        );
      case 'send':
        return this.pipeline(this.sends, frame);
      case 'ack':
      case 'nack':
        return this.acknowledge(frame);
      default: {
        const unreachable: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private hello(re: string, versions: number[]): void {
    const common = versions.filter((version) => SUPPORTED_VERSIONS.includes(version));
    if (common.length === 0) {
      this.refuse(
        re,
        {
          code: 'E_UNSUPPORTED_VERSION',
          message: `none of the protocol versions ${versions.join(', ')} is spoken here; this gateway speaks ${SUPPORTED_VERSIONS.join(', ')}`,
          details: { supported: SUPPORTED_VERSIONS },
        },
        false,
      );
      return;
    }
    this.version = Math.max(...common);
    const settings = this.context.settings();
    this.send({
      type: 'welcome',
      re,
      version: this.version,
      connectionId: this.connectionId,
      gatewayId: this.context.gatewayId,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
      limits: { maxFrameBytes: settings.maxFrameBytes, maxPayloadBytes: settings.maxPayloadBytes },
    });
  }

  private async register(re: string, registration: AgentRegistration): Promise<void> {
    if (this.version === undefined) {
      this.refuse(re, { code: 'E_VALIDATION', message: 'send hello before register' }, false);
      return;
    }
    let agentId: string;
    try {
      ({ agentId } = await this.context.handlers.register(this, registration));
    } catch (error) {
      if (!isSbError(error)) this.log.error({ err: error }, 'registration failed');
      this.refuse(re, toErrorBody(error), false);
      return;
    }
    this.log = this.context.log.child({ agentId });
    const result: RegisterResult = { agentId, connectionId: this.connectionId };
    this.send({ type: 'result', re, result });
    this.context.handlers.registered(this, agentId);
  }

  /** The registered agent a frame acts for; before `register` the frame is refused. */
  private actingAgent(frame: { id: string; type: string }): string | undefined {
    if (this.agentId === undefined) {
      const message = `register first: ${frame.type} acts for the registered agent`;
      this.refuse(frame.id, { code: 'E_VALIDATION', message }, false);
    }
    return this.agentId;
  }

  // Sends and reads are pipelined: each request leaves in arrival order, but its answer does not
  // hold the frames after it, or an agent could send one message (or read one document) per
  // round trip. Past maxPendingRequests of a kind unanswered, the inbox waits for the oldest
  // (and a flooding socket is paused).
  private async pipeline(requests: PendingRequests, frame: ServiceFrame): Promise<void> {
    await requests.makeRoom(this.context.settings().maxPendingRequests);
    requests.track(
      this.forward(frame).catch((err: unknown) => this.log.error({ err }, `${frame.type} failed`)),
    );
  }

  // A change waits for the reads before it, so none of them sees it; reads after it wait in the
  // inbox until it is answered. An agent sees its own reads and writes in the order it sent them.
  private async forwardInOrder(frame: ServiceFrame): Promise<void> {
    await this.reads.settled();
    await this.forward(frame);
  }

  private acknowledge(frame: AckFrame | NackFrame): void {
    const agentId = this.actingAgent(frame);
    if (agentId !== undefined) this.context.handlers.acknowledge(this, agentId, frame);
  }

  // A forwarded frame not pipelined holds the connection's later frames until the service
  // answers (at most the bus's request timeout).
  private forward(frame: ServiceFrame): Promise<void> {
    return this.answer(frame, (agentId) => this.context.handlers.forward(this, agentId, frame));
  }

  private async answer(
    frame: { id: string; type: string },
    work: (agentId: string) => Promise<unknown>,
  ): Promise<void> {
    const agentId = this.actingAgent(frame);
    if (agentId === undefined) return;
    try {
      const result = await work(agentId);
      this.send({ type: 'result', re: frame.id, result });
    } catch (error) {
      if (!isSbError(error)) this.log.error({ err: error }, `${frame.type} failed`);
      this.refuse(frame.id, toErrorBody(error), false);
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type ToolCallArguments = Extract<ServerFrame, { type: 'tool.call' }>['arguments'];
