import type { LifecycleRecord, SbError, StateSummary } from '@switchboard/protocol';
import type { A2aApi } from './a2a.ts';
import type { LifecycleApi } from './lifecycle-api.ts';
import type { MessagingApi } from './messaging-api.ts';
import type { StateApi, StateChange } from './state-api.ts';
import type { TasksApi } from './tasks-api.ts';
import type { ToolsApi } from './tools-api.ts';

/** Where the client is: first connection, connected, between connections, or done for good. */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * What the gateway tells an agent after each (re)connection: its lifecycle record and the
 * current keys of its own scope `agent:<agentId>` with their versions (no documents: read the
 * ones that changed with `store.get`).
 */
export interface Resumption {
  status: LifecycleRecord;
  state: StateSummary;
}

/** The events of an {@link AgentClient} and their payloads. */
export interface ClientEvents {
  /** Registered on a new connection (after a reconnect: with a new `connectionId`). */
  connected: { agentId: string; connectionId: string; gatewayId: string };
  /**
   * The connection ended. `willReconnect` is false after `close()`, when a newer connection
   * of the same agent took over (code 4001) and when the credential was revoked (4005).
   */
  disconnected: { code: number; reason: string; willReconnect: boolean };
  /** Waiting `delayMs` before reconnect attempt `attempt` (1, 2, ...). */
  reconnecting: { attempt: number; delayMs: number };
  /**
   * Something went wrong: a failed reconnect attempt, a refusal that ends the client (its
   * `state` is then `closed`), or an error frame from the gateway that answers no request.
   */
  error: { error: SbError };
  /** A message this agent sent with `receipt: true` was acked by `recipient` at `at`. */
  receipt: { messageId: string; recipient: string; at: string };
  /** A key of a scope watched with `store.watch` got a new version. */
  stateChanged: StateChange;
  /**
   * After `connected`, on every (re)connection: the agent's status and its own scope's keys
   * and versions, as the state service holds them. Not sent when the state service did not
   * answer the gateway in time. The first connection's may come before `connect()` resolves:
   * see `lastResume`.
   */
  resumed: Resumption;
}

/** A listener of event `E`. */
export type ClientListener<E extends keyof ClientEvents> = (payload: ClientEvents[E]) => void;

/** A connected agent, as {@link connect} returns it. */
export interface AgentClient extends MessagingApi {
  /** The id the gateway registered the agent as. */
  readonly agentId: string;
  /** The current (or last) connection's id; a new one after every reconnect. */
  readonly connectionId: string;
  /** The gateway instance of the current (or last) connection. */
  readonly gatewayId: string;
  readonly state: ClientState;
  /**
   * The latest `resumed` payload, or undefined before the first one. The first connection's
   * may arrive before `connect()` resolves, ahead of any listener: read it here.
   */
  readonly lastResume: Resumption | undefined;
  /**
   * The state service's versioned documents (the agent's own scope `agent:<agentId>` unless a
   * call names another). Named `store` because `state` is the connection state above.
   */
  readonly store: StateApi;
  /** The agent's lifecycle status: report `idle`, `busy`, ... and read it back. */
  readonly lifecycle: LifecycleApi;
  /** The tool registry: tools this agent provides (`provide`) and calls (`call`). */
  readonly tools: ToolsApi;
  /** A2A: answering the messages remote A2A clients send this agent (label `a2a: public`). */
  readonly a2a: A2aApi;
  /** Tasks: submit and wait for them, and execute the types this agent handles. */
  readonly tasks: TasksApi;
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: ClientListener<E>): () => void;
  /** Removes a listener. */
  off<E extends keyof ClientEvents>(event: E, listener: ClientListener<E>): void;
  /** Closes the connection cleanly (1000) and stops reconnecting. Idempotent. */
  close(): Promise<void>;
}
