import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type Grant, mintApiKey } from '@switchboard/authz';
import { type AgentClient, connect } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedMesh, startEmbeddedMesh } from './embedded-mesh.ts';
import { freePort } from './free-port.ts';

// The embedded mode's promise: on a machine with only Node.js, the whole mesh in one process,
// and an SDK agent exchanges messages, tasks and tool calls through it as through the
// distributed mesh.

const grants: Grant[] = [
  { kind: 'publish', topics: ['>'] },
  { kind: 'subscribe', topics: ['>'] },
  { kind: 'task', types: ['>'], actions: ['submit', 'execute', 'cancel', 'read'] },
  { kind: 'tool', names: ['>'], actions: ['list', 'call', 'provide'] },
];

const admin = mintApiKey();
const env = {
  SB_NAMESPACE: 'embedded_test',
  SB_LOG__LEVEL: 'warn',
  SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: admin.sha256,
  ...Object.fromEntries(
    ['GATEWAY', 'ROUTER', 'TOOLS', 'A2A', 'STATE', 'TASKS'].map((short) => [
      `SB_${short}__PORT`,
      '0',
    ]),
  ),
};
let dataDir: string;
let mesh: EmbeddedMesh;
const clients: AgentClient[] = [];

function portOf(short: string): number {
  const service = mesh.services.find((candidate) => candidate.short === short);
  if (service === undefined) throw new Error(`no ${short} in the mesh`);
  return service.port;
}

/** An API key that may act as any agent id, made through the operator API. */
async function createAgentKey(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${portOf('gateway')}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'agents', agentIds: ['*'], grants }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

async function agent(id: string, key: string): Promise<AgentClient> {
  const client = await connect({
    url: `ws://127.0.0.1:${portOf('gateway')}`,
    apiKey: key,
    agent: { id, name: id, version: '1.0.0' },
    requestTimeoutMs: 20_000,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // Postgres runs as the `postgres` user when the tests run as root: a folder it may enter.
  dataDir = mkdtempSync(join(tmpdir(), 'sb-embedded-'));
  mesh = await startEmbeddedMesh({
    dataDir,
    postgresPort: await freePort(),
    env,
    logDestination: new PassThrough(),
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await mesh?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded mesh', () => {
  it('runs the six services in one process, each ready on its own port', async () => {
    expect(mesh.services.map((service) => service.short).sort()).toEqual(
      ['a2a', 'gateway', 'router', 'state', 'tasks', 'tools'].sort(),
    );
    for (const service of mesh.services) {
      const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
      expect(ready.status).toBe(200);
    }
  });

  it('carries messages, tasks and tool calls between SDK agents', async () => {
    const key = await createAgentKey();
    const worker = await agent('worker-1', key);
    const caller = await agent('caller-1', key);

    worker.onMessage(async (message) => ({ echoed: message.payload }));
    const reply = await caller.request('worker-1', { n: 1 }, { timeoutMs: 10_000 });
    expect(reply).toMatchObject({ from: 'worker-1', payload: { echoed: { n: 1 } } });

    await worker.tasks.registerType({ name: 'double' });
    await worker.tasks.handle('double', async (input) => ({
      doubled: (input as { n: number }).n * 2,
    }));
    const { taskId } = await caller.tasks.submit('double', { n: 21 });
    const task = await caller.tasks.wait(taskId, { timeoutMs: 20_000 });
    expect(task).toMatchObject({ status: 'succeeded', result: { doubled: 42 } });

    await worker.tools.provide(
      {
        name: 'math.add',
        version: '1.0.0',
        description: 'Adds two numbers',
        inputSchema: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
        },
      },
      async (args) => ({ sum: Number(args.a) + Number(args.b) }),
    );
    expect(await caller.tools.call('math.add', { a: 1, b: 2 })).toMatchObject({
      version: '1.0.0',
      result: { sum: 3 },
    });
  });

  it('keeps its data across a restart of the whole mesh', async () => {
    const before = await fetch(`http://127.0.0.1:${portOf('gateway')}/v1/keys`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const keys = ((await before.json()) as { items: unknown[] }).items;
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await mesh.stop();
    mesh = await startEmbeddedMesh({
      dataDir,
      postgresPort: await freePort(),
      env,
      logDestination: new PassThrough(),
    });
    const after = await fetch(`http://127.0.0.1:${portOf('gateway')}/v1/keys`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(((await after.json()) as { items: unknown[] }).items).toEqual(keys);
  });
});
