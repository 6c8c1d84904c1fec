import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  AuthorizationError,
  connect,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { resolveTls, unreachableError } from '@switchboard/config';
import { NamespaceSchema, SbError, subjects, validationError } from '@switchboard/protocol';
import { createBodyEncoder, identityBody } from './codec.ts';
import { ensureEventStream } from './event-stream.ts';
import { silentLogger } from './logger.ts';
import { createCompressionMetrics, createRpcMetrics, noRpcMetrics } from './metrics.ts';
import { NatsBus } from './nats-bus.ts';
import { type NatsBusOptions, natsBusDefaults } from './options.ts';

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for an error of the TLS layer (certificates, handshake), however the client wrapped it. */
function isTlsFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) return true;
  }
  return false;
}

function connectionOptions(options: NatsBusOptions): NodeConnectionOptions {
  const tls = resolveTls('NATS', options.tls);
  return {
    servers: options.servers,
    timeout: options.connectTimeoutMs ?? natsBusDefaults.connectTimeoutMs,
    // Once connected, never give up: a service rides out a NATS restart and readiness reports it.
    maxReconnectAttempts: -1,
    // The client would build an Error per request just to carry a stack for a possible timeout
    // (a third of the CPU of an RPC in the bus-rpc benchmark); the bus raises its own SbError.
    noAsyncTraces: true,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(tls === undefined ? {} : { tls }),
  };
}

async function openConnection(options: NatsBusOptions): Promise<NatsConnection> {
  const servers = options.servers.join(', ');
  try {
    return await connect(connectionOptions(options));
  } catch (error) {
    if (error instanceof SbError) throw error;
    if (error instanceof AuthorizationError) {
      throw new SbError(
        'E_UNAVAILABLE',
        `NATS at ${servers} refused the connection: ${reasonOf(error)}. Check the NATS user, password or token.`,
        { cause: error },
      );
    }
    if (isTlsFailure(error)) {
      throw new SbError(
        'E_UNAVAILABLE',
        `NATS at ${servers} failed the TLS handshake: ${reasonOf(error)}. Check the NATS TLS settings (ca, cert, key).`,
        { cause: error },
      );
    }
    throw unreachableError('NATS', servers, error);
  }
}

/** Fails unless the server carries the largest message the mesh sends (DESIGN.md, Payloads). */
function assertPayloadLimit(nc: NatsConnection, options: NatsBusOptions): void {
  const required = options.requiredPayloadBytes ?? natsBusDefaults.requiredPayloadBytes;
  const maxPayload = nc.info?.max_payload ?? 0;
  if (maxPayload < required) {
    throw new SbError(
      'E_UNAVAILABLE',
      `NATS at ${nc.getServer()} carries messages of at most ${maxPayload} bytes (max_payload), but Switchboard needs ${required}: raise max_payload in the NATS server config, or lower the payload limit`,
      { details: { maxPayload, required } },
    );
  }
}

/**
 * Connects to NATS and returns the bus: checks the server's `max_payload`, then creates or
 * updates the namespace's event stream. Rejects with `E_UNAVAILABLE` (an actionable message,
 * the client's error as `cause`) when NATS or JetStream cannot be used.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const namespace = NamespaceSchema.safeParse(options.namespace);
  if (!namespace.success) throw validationError('namespace', namespace.error);
  const names = subjects(namespace.data);
  const nc = await openConnection(options);
  try {
    assertPayloadLimit(nc, options);
    const jsm = await jetstreamManager(nc).catch((error: unknown) => {
      throw new SbError(
        'E_UNAVAILABLE',
        `JetStream is not available on NATS at ${nc.getServer()}: ${reasonOf(error)}. Run nats-server with -js`,
        { cause: error },
      );
    });
    const retentionMs = options.eventRetentionMs ?? natsBusDefaults.eventRetentionMs;
    await ensureEventStream(jsm, names, retentionMs).catch((error: unknown) => {
      throw new SbError(
        'E_UNAVAILABLE',
        `could not create the event stream ${names.eventStream}: ${reasonOf(error)}`,
        { cause: error },
      );
    });
    return new NatsBus({
      nc,
      js: jetstream(nc),
      jsm,
      names,
      log: options.log ?? silentLogger,
      metrics: options.metrics === undefined ? noRpcMetrics : createRpcMetrics(options.metrics),
      requestTimeoutMs: options.requestTimeoutMs,
      eventRetryDelayMs: options.eventRetryDelayMs ?? natsBusDefaults.eventRetryDelayMs,
      encodeBody:
        options.compression === undefined
          ? identityBody
          : createBodyEncoder(
              options.compression,
              options.metrics === undefined ? undefined : createCompressionMetrics(options.metrics),
            ),
    });
  } catch (error) {
    await nc.close();
    throw error;
  }
}
