import { once } from 'node:events';
import { createServer } from 'node:net';
import { Message, type Task, TaskState } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { mintApiKey } from '@switchboard/authz';
import { A2A_LABEL, A2A_PUBLIC } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { rowOf, runClosedLoop } from '../lib/closed-loop.ts';
import type { BenchRow, Scenario } from '../lib/scenario.ts';

const AGENT_ID = 'bench-a2a-agent';

/** A TCP port nothing listens on now: the peer's cards must name its URL before it starts. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The official A2A client for the agent's card, over one binding, sending `token`. */
function a2aClient(cardUrl: string, token: string, binding: 'JSONRPC' | 'HTTP+JSON') {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  return new ClientFactory({
    transports: [
      new JsonRpcTransportFactory({ fetchImpl }),
      new RestTransportFactory({ fetchImpl }),
    ],
    preferredTransports: [binding],
  }).createFromUrl(cardUrl, '');
}

/** One blocking SendMessage: a new task, answered by the agent, read back completed. */
async function sendOnce(client: Client, text: string): Promise<void> {
  const result = await client.sendMessage({
    tenant: '',
    message: Message.fromJSON({
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text }],
    }),
    configuration: undefined,
    metadata: undefined,
  });
  if ((result as Task).status?.state !== TaskState.TASK_STATE_COMPLETED) {
    throw new Error(`the task ended ${TaskState[(result as Task).status?.state ?? 0]}`);
  }
}

/**
 * A2A SendMessage round trips through the A2A peer, spawned as in production with a gateway
 * and a router: the official @a2a-js/sdk client sends blocking messages (each a new task) to a
 * local SDK agent that answers at once; the peer stores the task, routes the message through the
 * router, applies the agent's update and answers with the completed task.
 */
export const a2a: Scenario = {
  name: 'a2a',
  description:
    'A2A SendMessage (blocking, a new task each) round trips/s and p50/p99: official @a2a-js/sdk client → a2a-peer → router → SDK agent answering at once, JSON-RPC and HTTP+JSON',
  async run({ params, note }) {
    const context = await createTestContext();
    const bootstrap = mintApiKey();
    const services: ServiceProcess[] = [];
    let agent: AgentClient | undefined;
    const text = 'x'.repeat(params.payloadBytes);
    try {
      const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
      const gateway = await spawnService('gateway', {
        ...common,
        ...liftedGatewayLimits,
        SB_GATEWAY__PORT: '0',
        SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
      });
      services.push(gateway);
      services.push(await spawnService('message-router', { ...common, SB_ROUTER__PORT: '0' }));
      const port = await freePort();
      const peerUrl = `http://127.0.0.1:${port}`;
      services.push(
        await spawnService('a2a-peer', {
          ...common,
          SB_A2A__PORT: String(port),
          SB_A2A__PUBLIC_URL: peerUrl,
          // One credential sends everything: its per-credential limit is lifted for the run.
          SB_A2A__RATE_LIMIT__CAPACITY: '10000000',
          SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
        }),
      );
      const apiKey = await createAgentKey(gateway.port, bootstrap.token);
      agent = await connect({
        url: `ws://127.0.0.1:${gateway.port}`,
        apiKey,
        agent: {
          id: AGENT_ID,
          name: AGENT_ID,
          version: '1',
          labels: { [A2A_LABEL]: A2A_PUBLIC },
        },
        // The agent answers every message in flight at once, so the mesh is measured.
        messageConcurrency: params.concurrency,
      });
      agent.a2a.serve(async (request) => request.text);
      const cardUrl = `${peerUrl}/agents/${AGENT_ID}/.well-known/agent-card.json`;
      note('gateway, router, a2a-peer and agent ready');

      const rows: BenchRow[] = [];
      for (const binding of ['JSONRPC', 'HTTP+JSON'] as const) {
        const client = await a2aClient(cardUrl, apiKey, binding);
        await sendOnce(client, text);
        const result = await runClosedLoop({
          concurrency: params.concurrency,
          durationMs: params.durationMs,
          warmupMs: params.warmupMs,
          operation: () => sendOnce(client, text),
        });
        rows.push(rowOf(`SendMessage (blocking), ${binding}`, result));
        note(`${binding} measured`);
      }
      return rows;
    } finally {
      await agent?.close();
      await Promise.all(services.map((service) => service.stop()));
      await context.cleanup();
    }
  },
};
