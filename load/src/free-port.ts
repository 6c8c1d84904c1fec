import { once } from 'node:events';
import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768-60999 by default): a port the kernel hands out for
// `listen(0)` is one an outgoing connection (the services open dozens to Postgres, Redis and
// NATS while they start) may take before the service that was given it listens on it.
const LOW = 20_000;
const HIGH = 32_000;

/** True when something could listen on `port` now. */
async function listenable(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const [outcome] = await Promise.race([
    once(server, 'listening').then(() => ['free'] as const),
    once(server, 'error').then(() => ['taken'] as const),
  ]);
  if (outcome === 'taken') return false;
  server.close();
  await once(server, 'close');
  return true;
}

/**
 * A TCP port nothing listens on now, outside the ephemeral range. Each service gets one up
 * front (the A2A peer's cards must name its URL before it starts, and a restarted service must
 * listen where its clients point), and so does each of the chaos scenario's own servers.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await listenable(port)) return port;
  }
}
