import type { NatsConnection, Status } from '@nats-io/transport-node';
import type { BusLogger } from './logger.ts';

/** Logs one status change of the connection at the level an operator needs. */
export function logStatus(log: BusLogger, status: Status): void {
  switch (status.type) {
    case 'disconnect':
      log.warn({ server: status.server }, 'lost the NATS connection; reconnecting');
      return;
    case 'reconnect':
      log.info({ server: status.server }, 'reconnected to NATS');
      return;
    case 'ldm':
      log.warn({ server: status.server }, 'the NATS server is shutting down (lame duck mode)');
      return;
    case 'error':
      log.error({ err: status.error }, 'NATS reported an error');
      return;
    case 'slowConsumer':
      log.warn(
        { subject: status.sub.getSubject(), pending: status.pending },
        'a NATS subscription cannot keep up with its messages',
      );
      return;
    case 'staleConnection':
      log.warn({}, 'the NATS connection went stale; reconnecting');
      return;
    case 'reconnecting':
    case 'update':
    case 'ping':
    case 'forceReconnect':
    case 'close':
      log.debug({ status: status.type }, 'NATS connection status');
      return;
    default: {
      const unreachable: never = status;
      log.debug({ status: unreachable }, 'NATS connection status');
    }
  }
}

/**
 * Follows the connection's status changes: logs them and tracks whether it is up.
 * `done` resolves once the connection has closed.
 */
export function watchStatus(
  nc: NatsConnection,
  log: BusLogger,
): { isConnected(): boolean; done: Promise<void> } {
  let connected = true;
  const done = (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') connected = false;
      if (status.type === 'reconnect') connected = true;
      logStatus(log, status);
    }
  })().catch((err: unknown) => log.error({ err }, 'stopped following the NATS connection status'));
  const closed = nc.closed().then(() => {
    connected = false;
  });
  return {
    isConnected: () => connected && !nc.isClosed(),
    done: Promise.all([done, closed]).then(() => undefined),
  };
}
