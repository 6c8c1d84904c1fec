import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A TCP port nothing listens on now. Each service gets one up front (the A2A peer's cards must
 * name its URL before it starts, and a restarted service must listen where its clients point),
 * and so does each of the chaos scenario's own servers.
 */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
