import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on at this moment, for a server that cannot pick its own
 * (Postgres): another process may take it before it is used, so use it at once.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}
