import {
  type AgentRegistration,
  AgentRegistrationSchema,
  type Capability,
  type Labels,
  SbError,
  validationError,
} from '@switchboard/protocol';
import { z } from 'zod';
import { DEFAULT_A2A_WORKING_DELAY_MS } from './a2a-working-report.ts';
import { type SdkLogger, silentLogger } from './logger.ts';
import { defaultReconnectOptions, type ReconnectOptions } from './retry-policy.ts';
import type { WebSocketConstructor } from './websocket.ts';

/** Who the agent is, as it registers (and re-registers after every reconnect). */
export interface AgentInfo {
  /** Stable across connections; optional when the credential is bound to exactly one id. */
  id?: string;
  /** A name for people. */
  name: string;
  /** The agent's own version. */
  version: string;
  description?: string;
  /** What the agent can do (default none). */
  capabilities?: Capability[];
  /** Short key/value pairs that select agents (default none). */
  labels?: Labels;
}

/** A bearer token, or a function that returns a fresh one before every connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

/** The credential: an API key or a JWT (both travel as a bearer token). */
export type Credentials =
  | { apiKey: string; token?: never }
  | { token: TokenSource; apiKey?: never };

/** Everything {@link connect} takes besides the credential. */
export interface ConnectSettings {
  /** The gateway, e.g. `ws://127.0.0.1:7700` (`/v1/connect` is added; http(s) means ws(s)). */
  url: string;
  agent: AgentInfo;
  /** Backoff between connection attempts (each field optional). */
  reconnect?: Partial<ReconnectOptions>;
  /**
   * How long the first `connect()` keeps trying while the gateway is unreachable, in ms
   * (default 30 000). Refusals (bad credential, forbidden agent id) fail at once.
   */
  connectTimeoutMs?: number;
  /** Opening the socket plus hello and register, per attempt, in ms (default 10 000). */
  handshakeTimeoutMs?: number;
  /**
   * How long a request waits for its reply, in ms (default 30 000); also the default
   * `timeoutMs` of `send()` (which waits across reconnects) and `request()`.
   */
  requestTimeoutMs?: number;
  /**
   * How many message handler calls run at once (default 1: one at a time, in order of
   * arrival). Deliveries beyond it wait in the SDK, in order.
   */
  messageConcurrency?: number;
  /**
   * How long a handled message id is remembered to drop duplicates, in ms (default 600 000:
   * ten minutes). Keep it at least as long as the router's whole retry span.
   */
  dedupWindowMs?: number;
  /** The most message ids remembered for duplicates; the oldest go first (default 100 000). */
  dedupMaxEntries?: number;
  /**
   * How long an A2A handler may run without reporting anything before the SDK reports its task
   * `working`, in ms (default 2 000; 0: at once). Never later than half the time left before
   * the message expires, so the A2A peer does not fail the task as undelivered. A fast handler
   * costs no extra update.
   */
  a2aWorkingDelayMs?: number;
  /**
   * The WebSocket class. Default: the `ws` package in Node when installed, else the global
   * `WebSocket`. A class without header support gets the credential as a subprotocol.
   */
  WebSocket?: WebSocketConstructor;
  /** Aborting it stops connecting, or closes the client once connected. */
  signal?: AbortSignal;
  /** Where the SDK logs (a pino logger fits); silent by default. */
  log?: SdkLogger;
}

/** The options of {@link connect}. */
export type ConnectOptions = ConnectSettings & Credentials;

// Both ways: AgentInfo is the protocol's registration input, written out for readers.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agentInfoMatchesProtocol: Same<AgentInfo, z.input<typeof AgentRegistrationSchema>> = true;
void agentInfoMatchesProtocol;

const TimingsSchema = z.strictObject({
  connectTimeoutMs: z.int().positive().default(30_000),
  handshakeTimeoutMs: z.int().positive().default(10_000),
  requestTimeoutMs: z.int().positive().default(30_000),
  messageConcurrency: z.int().positive().max(10_000).default(1),
  dedupWindowMs: z.int().positive().default(600_000),
  dedupMaxEntries: z.int().positive().default(100_000),
  a2aWorkingDelayMs: z.int().nonnegative().default(DEFAULT_A2A_WORKING_DELAY_MS),
  reconnect: z
    .strictObject({
      initialDelayMs: z.int().nonnegative().default(defaultReconnectOptions.initialDelayMs),
      maxDelayMs: z.int().nonnegative().default(defaultReconnectOptions.maxDelayMs),
      factor: z.number().min(1).default(defaultReconnectOptions.factor),
      jitter: z.number().min(0).max(1).default(defaultReconnectOptions.jitter),
    })
    .prefault({}),
});

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  url: string;
  token: () => Promise<string>;
  agent: AgentRegistration;
  reconnect: ReconnectOptions;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  requestTimeoutMs: number;
  messageConcurrency: number;
  dedupWindowMs: number;
  dedupMaxEntries: number;
  a2aWorkingDelayMs: number;
  WebSocket: WebSocketConstructor | undefined;
  signal: AbortSignal | undefined;
  log: SdkLogger;
}

/** The agents' endpoint under the gateway URL: ws(s), path ending in `/v1/connect`. */
export function connectUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SbError('E_VALIDATION', `url "${url}" is not a URL; use e.g. ws://127.0.0.1:7700`);
  }
  const schemes: Record<string, string> = {
    'ws:': 'ws:',
    'wss:': 'wss:',
    'http:': 'ws:',
    'https:': 'wss:',
  };
  const scheme = schemes[parsed.protocol];
  if (scheme === undefined) {
    throw new SbError(
      'E_VALIDATION',
      `url must be ws://, wss://, http:// or https://, not ${parsed.protocol}`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new SbError('E_VALIDATION', 'url must not carry credentials: pass apiKey or token');
  }
  parsed.protocol = scheme;
  if (!parsed.pathname.endsWith('/v1/connect')) {
    parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/v1/connect`;
  }
  return parsed.toString();
}

function tokenSource(options: ConnectOptions): () => Promise<string> {
  const source: TokenSource | undefined = options.apiKey ?? options.token;
  if (source === undefined || source === '') {
    throw new SbError('E_VALIDATION', 'give apiKey or token: the gateway refuses anonymous agents');
  }
  return async () => {
    const token = typeof source === 'function' ? await source() : source;
    if (typeof token !== 'string' || token === '') {
      throw new SbError('E_UNAUTHORIZED', 'the token function returned no token');
    }
    return token;
  };
}

/** Validates the options of {@link connect} and fills in the defaults; throws `E_VALIDATION`. */
export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  const agent = AgentRegistrationSchema.safeParse(options.agent);
  if (!agent.success) throw validationError('agent', agent.error);
  const timings = TimingsSchema.safeParse({
    connectTimeoutMs: options.connectTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    messageConcurrency: options.messageConcurrency,
    dedupWindowMs: options.dedupWindowMs,
    dedupMaxEntries: options.dedupMaxEntries,
    a2aWorkingDelayMs: options.a2aWorkingDelayMs,
    reconnect: options.reconnect,
  });
  if (!timings.success) throw validationError('connect options', timings.error);
  return {
    url: connectUrl(options.url),
    token: tokenSource(options),
    agent: agent.data,
    ...timings.data,
    WebSocket: options.WebSocket,
    signal: options.signal,
    log: options.log ?? silentLogger,
  };
}
