import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Message, type Task, TaskState } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { mintApiKey } from '@switchboard/authz';
import { freePort } from '@switchboard/embedded';
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
import { cpuSeconds, pidsNamed } from '../lib/mesh.ts';
import type { BenchRow, Scenario } from '../lib/scenario.ts';

const AGENT_ID = 'bench-a2a-agent';
const here = fileURLToPath(new URL('.', import.meta.url));

/** SB_BENCH_PROFILE=a2a-peer,router,gateway writes V8 CPU profiles of those to bench/results. */
function profileOf(id: string): { nodeArgs: string[] } {
  const profiled = (process.env.SB_BENCH_PROFILE ?? '').split(',');
  return {
    nodeArgs: profiled.includes(id)
      ? // One folder per service: tsx's loader thread writes a profile of its own.
        ['--cpu-prof', `--cpu-prof-dir=${join(here, '../results', `${id}-${Date.now()}`)}`]
      : [],
  };
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

/**
 * One SendMessage, a new task: blocking, it answers once the agent completed the task; with
 * `returnImmediately`, once the task is stored and its message routed.
 */
async function sendOnce(client: Client, text: string, returnImmediately: boolean): Promise<void> {
  const result = await client.sendMessage({
    tenant: '',
    message: Message.fromJSON({
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text }],
    }),
    configuration: returnImmediately
      ? { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately }
      : undefined,
    metadata: undefined,
  });
  const expected = returnImmediately
    ? TaskState.TASK_STATE_SUBMITTED
    : TaskState.TASK_STATE_COMPLETED;
  const state = (result as Task).status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  // A task answered at once may already be further along: only a failure is an error.
  if (state !== expected && (!returnImmediately || state === TaskState.TASK_STATE_FAILED)) {
    throw new Error(`the task is ${TaskState[state]}`);
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
    'A2A SendMessage (a new task each) round trips/s and p50/p99: official @a2a-js/sdk client → a2a-peer → router → SDK agent answering at once; blocking over JSON-RPC and HTTP+JSON, and returnImmediately (stored and routed only)',
  async run({ params, note }) {
    const context = await createTestContext();
    const bootstrap = mintApiKey();
    const services: ServiceProcess[] = [];
    let agent: AgentClient | undefined;
    const text = 'x'.repeat(params.payloadBytes);
    try {
      const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
      const gateway = await spawnService(
        'gateway',
        {
          ...common,
          ...liftedGatewayLimits,
          SB_GATEWAY__PORT: '0',
          SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
        },
        profileOf('gateway'),
      );
      services.push(gateway);
      const router = await spawnService(
        'message-router',
        { ...common, SB_ROUTER__PORT: '0' },
        profileOf('router'),
      );
      services.push(router);
      const port = await freePort();
      const peerUrl = `http://127.0.0.1:${port}`;
      const peer = await spawnService(
        'a2a-peer',
        {
          ...common,
          SB_A2A__PORT: String(port),
          SB_A2A__PUBLIC_URL: peerUrl,
          // One credential sends everything: its per-credential limit is lifted for the run.
          SB_A2A__RATE_LIMIT__CAPACITY: '10000000',
          SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
        },
        profileOf('a2a-peer'),
      );
      services.push(peer);
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

      // CPU per operation of each process on the path; this process is the client and the agent.
      const processes: Array<[string, number]> = [
        ['a2a-peer', peer.child.pid as number],
        ['router', router.child.pid as number],
        ['gateway', gateway.child.pid as number],
        ...['postgres', 'nats-server', 'redis-server'].flatMap((name) =>
          pidsNamed(name).map((pid) => [name, pid] as [string, number]),
        ),
      ];
      const cpuByName = () => {
        const own = process.cpuUsage();
        const totals = new Map<string, number>([['client+agent', (own.user + own.system) / 1e6]]);
        for (const [name, pid] of processes) {
          try {
            totals.set(name, (totals.get(name) ?? 0) + cpuSeconds(pid));
          } catch {
            // A process that ended (a postgres backend): its time is gone with it.
          }
        }
        return totals;
      };

      const rows: BenchRow[] = [];
      const variants = [
        ['JSONRPC', false],
        ['HTTP+JSON', false],
        ['JSONRPC', true],
      ] as const;
      for (const [binding, returnImmediately] of variants) {
        const client = await a2aClient(cardUrl, apiKey, binding);
        await sendOnce(client, text, returnImmediately);
        const loop = (durationMs: number) =>
          runClosedLoop({
            concurrency: params.concurrency,
            durationMs,
            warmupMs: 0,
            operation: () => sendOnce(client, text, returnImmediately),
          });
        await loop(params.warmupMs);
        const before = cpuByName();
        const result = await loop(params.durationMs);
        const cpuMsPerOp = Object.fromEntries(
          [...cpuByName()].map(([name, after]) => [
            `${name} cpu ms/op`,
            ((after - (before.get(name) ?? 0)) * 1000) / Math.max(1, result.ops),
          ]),
        );
        const mode = returnImmediately ? 'returnImmediately' : 'blocking';
        rows.push(rowOf(`SendMessage (${mode}), ${binding}`, result, cpuMsPerOp));
        note(`${binding} ${mode} measured`);
      }
      return rows;
    } finally {
      await agent?.close();
      await Promise.all(services.map((service) => service.stop()));
      await context.cleanup();
    }
  },
};
