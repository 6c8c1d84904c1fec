import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A remote A2A agent as much as registering and health-checking it needs: an HTTP server that
// serves an unsigned A2A v1.0 Agent Card at the well-known path. Tests of the operator side
// (gateway routes, CLI, console) use it where a whole SDK agent would only add weight.

/** A running card server (see {@link serveAgentCard}). */
export interface AgentCardServer {
  /** Its base URL (`http://127.0.0.1:<port>`): what a peer is registered with. */
  readonly baseUrl: string;
  /** Where the card is: `<baseUrl>/.well-known/agent-card.json`. */
  readonly cardUrl: string;
  /** Stops answering (connections refused), as a peer that went down. */
  pause(): Promise<void>;
  /** Answers again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the card of an agent named `name` with one skill per entry of `skills` (tagged
 * `remote`) and a JSON-RPC interface at `<baseUrl>/jsonrpc` (not served: nothing here answers
 * A2A calls).
 */
export async function serveAgentCard(options: {
  name: string;
  skills: string[];
  streaming?: boolean;
}): Promise<AgentCardServer> {
  let cardJson = '';
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === '/.well-known/agent-card.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(cardJson);
      return;
    }
    response.writeHead(404).end();
  };
  let server: Server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  cardJson = JSON.stringify({
    name: options.name,
    description: `${options.name}, a remote agent for tests`,
    version: '1.0.0',
    supportedInterfaces: [
      { url: `${baseUrl}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    capabilities: { streaming: options.streaming ?? true, pushNotifications: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: options.skills.map((skill) => ({
      id: skill,
      name: skill,
      description: `does ${skill}`,
      tags: ['remote'],
    })),
  });
  const closeServer = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    baseUrl,
    cardUrl: `${baseUrl}/.well-known/agent-card.json`,
    pause: closeServer,
    async resume() {
      server = createServer(answer);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: async () => {
      if (server.listening) await closeServer();
    },
  };
}
