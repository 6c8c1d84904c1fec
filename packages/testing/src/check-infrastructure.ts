import { createConnection } from 'node:net';
import { testInfra } from './infra.ts';

const startHints = {
  Postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
};

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const parsed = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({
      host: parsed.hostname,
      port: Number(parsed.port || defaultPort),
    });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Vitest global setup: the tests run against the real Postgres, Redis and NATS, so before any
 * file starts, say which one is down, where, and how to start it, instead of a hundred files
 * failing with connection errors.
 */
export async function setup(): Promise<void> {
  const checks = [
    ['Postgres', testInfra.postgresUrl, 5432],
    ['Redis', testInfra.redisUrl, 6379],
    ['NATS', testInfra.natsServers.split(',')[0] as string, 4222],
  ] as const;
  const down = [];
  for (const [name, url, port] of checks) {
    if (!(await reachable(url, port)))
      down.push(`  - ${name} is not reachable at ${url}; start it with: ${startHints[name]}`);
  }
  if (down.length > 0) {
    throw new Error(
      [
        'The tests need Postgres, Redis and NATS:',
        ...down,
        'Start all three with: docker compose up -d postgres redis nats',
        'Without them, SB_MODE=embedded pnpm test runs the embedded subset (an embedded Postgres, the in-process bus and cache).',
      ].join('\n'),
    );
  }
}
