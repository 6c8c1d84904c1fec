// A load-generator process for the gateway-connections scenario: opens `count` agent
// connections (hello, register), answers every ping, and reports to its parent over IPC.
// Runs in its own process so the generator never shares a core's event loop with the gateway.
import WebSocket from 'ws';

interface Start {
  url: string;
  token: string;
  count: number;
  prefix: string;
  /** Connections opening at once. */
  concurrency: number;
}

const sockets: WebSocket[] = [];

function openAgent(start: Start, index: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const socket = new WebSocket(start.url, ['sb.v1'], {
      headers: { authorization: `Bearer ${start.token}` },
    });
    socket.on('open', () => {
      socket.send(JSON.stringify({ v: 1, type: 'hello', id: 'h', versions: [1] }));
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id: string; re?: string };
      if (frame.type === 'welcome') {
        const agent = { id: `${start.prefix}-${index}`, name: 'idle', version: '1' };
        socket.send(JSON.stringify({ v: 1, type: 'register', id: 'r', agent }));
      } else if (frame.type === 'result' && frame.re === 'r') {
        resolve(performance.now() - began);
      } else if (frame.type === 'error') {
        reject(new Error(JSON.stringify(frame)));
      } else if (frame.type === 'ping') {
        socket.send(JSON.stringify({ v: 1, type: 'pong', id: `p${frame.id}`, re: frame.id }));
      }
    });
    socket.on('error', reject);
    socket.on('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    sockets.push(socket);
  });
}

process.on('message', async (start: Start) => {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const lane = async () => {
    while (next < start.count) {
      const index = next++;
      try {
        latencies.push(await openAgent(start, index));
      } catch (error) {
        failures += 1;
        if (failures <= 3) process.send?.({ kind: 'error', message: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: start.concurrency }, lane));
  process.send?.({ kind: 'connected', latencies, failures });
});

process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
