import { SbError } from '@switchboard/protocol';

/** How to start each piece of local infrastructure (DESIGN.md, Where it runs). */
export const startCommands = {
  Postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
} as const;

/** A piece of infrastructure every service needs. */
export type Dependency = keyof typeof startCommands;

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // AggregateError (every address refused) carries an empty message; its code says it all.
  const code = (error as NodeJS.ErrnoException).code;
  if (error.message === '') return code ?? error.name;
  return code !== undefined && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}

/**
 * The error a service fails start-up with when a dependency cannot be reached: which one, at
 * which address (never with credentials), why, and how to start it locally. Callers print its
 * message, no stack trace.
 */
export function unreachableError(dependency: Dependency, address: string, cause: unknown): SbError {
  return new SbError(
    'E_UNAVAILABLE',
    `${dependency} is unreachable at ${address} (${reasonOf(cause)}). ` +
      `If it runs on this machine, start it with: ${startCommands[dependency]}`,
    { cause, details: { dependency, address } },
  );
}
