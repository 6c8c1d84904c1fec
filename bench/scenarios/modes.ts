import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Grant, mintApiKey } from '@switchboard/authz';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { rowOf, runClosedLoop } from '../lib/closed-loop.ts';
import { cpuSeconds } from '../lib/mesh.ts';
import type { BenchContext, BenchRow, Scenario } from '../lib/scenario.ts';

const here = dirname(fileURLToPath(import.meta.url));

const grants: Grant[] = [
  { kind: 'publish', topics: ['>'] },
  { kind: 'subscribe', topics: ['>'] },
  { kind: 'task', types: ['bench.>'], actions: ['submit', 'execute', 'read', 'cancel'] },
];

/** A running mesh in one mode: where its gateway listens and which processes are its. */
interface ModeMesh {
  gatewayPort: number;
  pids: () => number[];
  stop(): Promise<void>;
}

/**
 * The distributed mesh as production runs it: gateway, router and task worker as processes
 * over the local Postgres, Redis and NATS (state, tools and a2a are not on these paths).
 */
async function distributedMesh(adminSha256: string): Promise<ModeMesh> {
  const context = await createTestContext();
  const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
  const services: ServiceProcess[] = [];
  try {
    services.push(await spawnService('message-router', { ...common, SB_ROUTER__PORT: '0' }));
    services.push(await spawnService('task-worker', { ...common, SB_TASKS__PORT: '0' }));
    const gateway = await spawnService('gateway', {
      ...common,
      ...liftedGatewayLimits,
      SB_GATEWAY__PORT: '0',
      SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: adminSha256,
    });
    services.push(gateway);
    return {
      gatewayPort: gateway.port,
      pids: () => services.flatMap((service) => service.child.pid ?? []),
      stop: async () => {
        for (const service of services.reverse()) await service.stop();
        await context.cleanup();
      },
    };
  } catch (error) {
    for (const service of services) await service.stop();
    await context.cleanup();
    throw error;
  }
}

/** The embedded mesh (all six services, embedded Postgres) in one process of its own. */
async function embeddedMesh(adminSha256: string): Promise<ModeMesh> {
  const child: ChildProcess = fork(join(here, '../workers/embedded-mesh.ts'), {
    execArgv: ['--import', 'tsx'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SB_NAMESPACE: 'bench_embedded',
      SB_LOG__LEVEL: 'warn',
      ...liftedGatewayLimits,
      ...Object.fromEntries(
        ['GATEWAY', 'ROUTER', 'TOOLS', 'A2A', 'STATE', 'TASKS'].map((short) => [
          `SB_${short}__PORT`,
          '0',
        ]),
      ),
      SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: adminSha256,
    },
  });
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the embedded mesh exited (${code}) before it was ready`);
    }),
  ])) as [{ gatewayPort: number }];
  return {
    gatewayPort: ready.gatewayPort,
    // Its Postgres is a child of its own: counted with the other Postgres processes below.
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function agent(
  port: number,
  apiKey: string,
  id: string,
  messageConcurrency: number,
): Promise<AgentClient> {
  return connect({
    url: `ws://127.0.0.1:${port}`,
    apiKey,
    agent: { id, name: id, version: '1.0.0' },
    requestTimeoutMs: 30_000,
    // As many messages handled at once as are sent at once: the mesh is measured, not the
    // responder's queue.
    messageConcurrency,
  });
}

/** Messages round trip, then tasks, through one mesh, measured the same way in either mode. */
async function measureMode(
  context: BenchContext,
  mode: 'distributed' | 'embedded',
): Promise<BenchRow[]> {
  const { params, note } = context;
  const admin = mintApiKey();
  const mesh =
    mode === 'distributed' ? await distributedMesh(admin.sha256) : await embeddedMesh(admin.sha256);
  const clients: AgentClient[] = [];
  try {
    const apiKey = await createAgentKey(mesh.gatewayPort, admin.token, grants);
    const responder = await agent(mesh.gatewayPort, apiKey, 'bench-responder', params.concurrency);
    const caller = await agent(mesh.gatewayPort, apiKey, 'bench-caller', params.concurrency);
    clients.push(responder, caller);
    const payload = { text: 'x'.repeat(params.payloadBytes) };
    responder.onMessage(async (message) => message.payload);
    await responder.tasks.registerType({ name: 'bench.noop' });
    await responder.tasks.handle('bench.noop', async (input) => input, {
      concurrency: params.concurrency,
    });
    const cpuBefore = mesh.pids().reduce((total, pid) => total + cpuSeconds(pid), 0);
    note(`${mode}: messages round trip, ${params.concurrency} in flight`);
    const messages = await runClosedLoop({
      concurrency: params.concurrency,
      durationMs: params.durationMs,
      warmupMs: params.warmupMs,
      operation: () => caller.request('bench-responder', payload, { timeoutMs: 30_000 }),
    });
    note(`${mode}: tasks submitted and waited for, ${params.concurrency} in flight`);
    const tasks = await runClosedLoop({
      concurrency: params.concurrency,
      durationMs: params.durationMs,
      warmupMs: params.warmupMs,
      operation: async () => {
        const { taskId } = await caller.tasks.submit('bench.noop', payload);
        const task = await caller.tasks.wait(taskId, { timeoutMs: 30_000 });
        if (task.status !== 'succeeded') throw new Error(`task ${taskId} ended ${task.status}`);
      },
    });
    const cpu = mesh.pids().reduce((total, pid) => total + cpuSeconds(pid), 0) - cpuBefore;
    return [
      rowOf(`${mode}: message round trip`, messages),
      rowOf(`${mode}: task submit→succeeded`, tasks, {
        'services CPU s, both loads': Number(cpu.toFixed(1)),
      }),
    ];
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await mesh.stop();
  }
}

/**
 * The embedded mode beside the distributed one: the same SDK load (request/reply messages, then
 * tasks submitted and awaited, closed loop) against each, so a user sees what one process on one
 * machine gives up, or gains, against NATS, Redis and separate processes.
 */
export const modes: Scenario = {
  name: 'modes',
  description:
    'the same SDK load against the distributed mesh (gateway, router, task worker processes over Postgres, Redis, NATS) and the embedded mesh (one process, embedded Postgres): message request/reply round trips, then tasks submitted and waited for (closed loop); ops/s, p50/p99, CPU of the service processes (Node; Postgres, Redis, NATS not counted)',
  async run(context) {
    const distributed = await measureMode(context, 'distributed');
    const embedded = await measureMode(context, 'embedded');
    const rows: BenchRow[] = [];
    for (const [index, row] of embedded.entries()) {
      const other = distributed[index] as BenchRow;
      const rate = (r: BenchRow) => r.ops / (r.elapsedMs / 1000);
      rows.push(other, {
        ...row,
        extra: { ...row.extra, 'x distributed': (rate(row) / rate(other)).toFixed(2) },
      });
    }
    return rows;
  },
};
