import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AgentCard,
  type StreamResponse,
  Task,
  TaskState,
  verifyAgentCardSignature,
} from '@a2a-js/sdk';
import { Client } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import type { AgentClient } from '@switchboard/sdk';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, bearerFetch, createA2aMesh, sendParams } from './test-mesh.ts';
import { quietA2aSdk } from './test-quiet-sdk.ts';

// A2A tasks through their life: streaming, several turns, cancel, failure, listing, owners,
// push notifications (durable across a restart), signed cards, SSRF, rate limits, the
// orchestrator's routing by skill and v0.3 clients.

let mesh: A2aMesh;
let agent: AgentClient;
let signingJwk: JWK;
const release = new Map<string, () => void>();
// Wrapped: `until` would wait for a bare promise instead of returning it.
const cancelled = new Map<string, { stopped: Promise<void> }>();

const statusText = (task: Task) =>
  (
    Task.toJSON(task) as { status?: { message?: { parts?: { text?: string }[] } } }
  ).status?.message?.parts
    ?.map((part) => part.text ?? '')
    .join('');

async function agentClient(token?: string) {
  return mesh.client(`${mesh.url}/agents/steps-agent/.well-known/agent-card.json`, {
    ...(token === undefined ? {} : { token }),
  });
}

/** An HTTP server that records the push notifications it gets and answers `status()`. */
async function receiver(status: () => number = () => 200) {
  const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const code = status();
      if (code < 300) received.push({ headers: request.headers, body: JSON.parse(raw) });
      response.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { received, url, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  quietA2aSdk();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  signingJwk = await exportJWK(privateKey);
  mesh = await createA2aMesh();
  await mesh.startPeer({
    SB_A2A__SIGNING__KEYS: JSON.stringify([{ kid: 'card-1', privateJwk: signingJwk }]),
  });
  agent = await mesh.agent('steps-agent', {
    capabilities: [{ name: 'steps' }],
    messageConcurrency: 8,
  });
  agent.a2a.serve(async (request, task) => {
    switch (request.text) {
      case 'steps':
        await task.working('starting');
        await task.artifact({ artifactId: 'out', name: 'result', content: 'part one, ' });
        await task.artifact({
          artifactId: 'out',
          content: 'part two',
          append: true,
          lastChunk: true,
        });
        return 'done';
      case 'ask':
        await task.requireInput('what is your name?');
        return undefined;
      case 'boom':
        throw new Error('boom: the agent broke');
      case 'wait':
        cancelled.set(request.taskId, {
          stopped: new Promise((resolve) => task.signal.addEventListener('abort', () => resolve())),
        });
        await new Promise<void>((resolve) => {
          release.set(request.taskId, resolve);
          task.signal.addEventListener('abort', () => resolve());
        });
        return 'released';
      default:
        // The next turn of an `ask`.
        return `hello ${request.text}`;
    }
  });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('a task through its life', () => {
  it('streams the status and artifact updates until the task completes', async () => {
    const client = await agentClient();
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(sendParams('steps'))) events.push(event);
    const cases = events.map((event) => event.payload?.$case);
    expect(cases[0]).toBe('task');
    expect(cases).toContain('artifactUpdate');
    const last = events.at(-1)?.payload;
    expect(last?.$case).toBe('statusUpdate');
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(
      TaskState.TASK_STATE_COMPLETED,
    );
    const taskId = events[0]?.payload?.$case === 'task' ? events[0].payload.value.id : '';
    const task = await client.getTask({ tenant: '', id: taskId, historyLength: undefined });
    expect(task.artifacts).toHaveLength(1);
    expect(task.artifacts[0]?.parts).toHaveLength(2);
    expect(statusText(task)).toBe('done');
  });

  it('asks for input and completes on the next turn', async () => {
    const client = await agentClient();
    const first = (await client.sendMessage(sendParams('ask'))) as Task;
    expect(first.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(statusText(first)).toBe('what is your name?');
    const second = (await client.sendMessage(sendParams('Ada', { taskId: first.id }))) as Task;
    expect(second.id).toBe(first.id);
    expect(second.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(statusText(second)).toBe('hello Ada');
    expect(second.history).toHaveLength(4);
  });

  it('fails the task with the error a handler threw', async () => {
    const client = await agentClient();
    const task = (await client.sendMessage(sendParams('boom'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(statusText(task)).toBe('boom: the agent broke');
  });

  it('cancels a running task, stops its handler, and refuses to cancel it again', async () => {
    const client = await agentClient();
    const started = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    expect(started.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    const { stopped } = await until(() => cancelled.get(started.id), 'the handler to start');
    const task = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    expect(task.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    await stopped;
    await expect(
      client.cancelTask({ tenant: '', id: started.id, metadata: undefined }),
    ).rejects.toThrow(/cannot be canceled/);
  });

  it('lets a subscriber follow a task to its end', async () => {
    const client = await agentClient();
    const started = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    await until(() => release.get(started.id), 'the handler to start');
    const seen: StreamResponse[] = [];
    const following = (async () => {
      for await (const event of client.resubscribeTask({ tenant: '', id: started.id })) {
        seen.push(event);
      }
    })();
    await until(() => (seen.length > 0 ? true : undefined), 'the subscription to start');
    release.get(started.id)?.();
    await following;
    const last = seen.at(-1)?.payload;
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(
      TaskState.TASK_STATE_COMPLETED,
    );
  });

  it('lists the caller’s tasks and hides them from other callers', async () => {
    const client = await agentClient();
    const task = (await client.sendMessage(sendParams('Bob'))) as Task;
    const listed = await client.listTasks({
      tenant: '',
      contextId: task.contextId,
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageSize: 10,
      pageToken: '',
      historyLength: 0,
      statusTimestampAfter: undefined,
      includeArtifacts: false,
    });
    expect(listed.tasks.map((item) => item.id)).toEqual([task.id]);
    expect(listed.tasks[0]?.history).toEqual([]);

    const stranger = await agentClient(
      await mesh.key([{ kind: 'subscribe', topics: ['stranger.only'] }]),
    );
    await expect(
      stranger.getTask({ tenant: '', id: task.id, historyLength: undefined }),
    ).rejects.toThrow(/no task/);
  });
});

describe('push notifications', () => {
  it('posts each change with the token and a JWT signed with the card key', async () => {
    const hook = await receiver();
    const client = await agentClient();
    const started = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    await client.createTaskPushNotificationConfig({
      tenant: '',
      id: 'hook-1',
      taskId: started.id,
      url: hook.url,
      token: 'secret-token',
      authentication: undefined,
    });
    const configs = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: started.id,
      pageSize: 10,
      pageToken: '',
    });
    expect(configs.configs.map((config) => config.id)).toEqual(['hook-1']);
    await until(() => release.get(started.id), 'the handler to start');
    release.get(started.id)?.();
    const done = await until(
      () =>
        hook.received.find(
          (push) =>
            (push.body.statusUpdate as { status?: { state?: string } } | undefined)?.status
              ?.state === 'TASK_STATE_COMPLETED',
        ),
      'the completed notification',
    );
    expect(done.headers['x-a2a-notification-token']).toBe('secret-token');
    const jwt = (done.headers.authorization ?? '').replace(/^Bearer /, '');
    const jwks = (await (await fetch(`${mesh.url}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    const { payload } = await jwtVerify(jwt, await importJWK(jwks.keys[0] as JWK, 'ES256'), {
      audience: hook.url,
    });
    expect(payload.taskId).toBe(started.id);
    await hook.close();
  });

  it('keeps a notification queued across a restart of the peer and delivers it after', async () => {
    let status = 503;
    const hook = await receiver(() => status);
    const client = await agentClient();
    const started = (await client.sendMessage(
      sendParams('wait', { returnImmediately: true }),
    )) as Task;
    await client.createTaskPushNotificationConfig({
      tenant: '',
      id: 'durable',
      taskId: started.id,
      url: hook.url,
      token: '',
      authentication: { scheme: 'Bearer', credentials: 'receiver-secret' },
    });
    await until(() => release.get(started.id), 'the handler to start');
    release.get(started.id)?.();
    // The receiver refuses while the only peer is replaced by a new one.
    const [first] = mesh.peers;
    await mesh.startPeer({
      SB_A2A__SIGNING__KEYS: JSON.stringify([{ kid: 'card-1', privateJwk: signingJwk }]),
    });
    await first?.stop();
    status = 200;
    const delivered = await until(
      () =>
        hook.received.find(
          (push) =>
            (push.body.statusUpdate as { status?: { state?: string } } | undefined)?.status
              ?.state === 'TASK_STATE_COMPLETED',
        ),
      'the notification after the restart',
      20_000,
    );
    expect(delivered.headers.authorization).toBe('Bearer receiver-secret');
    await hook.close();
  });

  it('refuses push URLs that reach private networks', async () => {
    const client = await agentClient();
    const task = (await client.sendMessage(sendParams('Eve'))) as Task;
    await expect(
      client.createTaskPushNotificationConfig({
        tenant: '',
        id: 'metadata',
        taskId: task.id,
        url: 'http://169.254.169.254/latest/meta-data',
        token: '',
        authentication: undefined,
      }),
    ).rejects.toThrow(/refused/);
  });
});

describe('cards, routing and versions', () => {
  it('signs cards (verifiable with the JWKS) and a tampered card fails verification', async () => {
    const card = (await (
      await fetch(`${mesh.url}/.well-known/agent-card.json`, {
        headers: { 'A2A-Version': '1.0' },
      })
    ).json()) as Record<string, unknown>;
    const jwks = (await (await fetch(`${mesh.url}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    const verify = verifyAgentCardSignature(async (kid) => {
      const key = jwks.keys.find((candidate) => candidate.kid === kid);
      if (key === undefined) throw new Error(`no key ${kid}`);
      return key;
    });
    await expect(verify(card as unknown as AgentCard)).resolves.toBeUndefined();
    await expect(verify({ ...card, name: 'Someone else' } as unknown as AgentCard)).rejects.toThrow(
      /No valid signatures/,
    );
  });

  it('routes a message sent to the orchestrator by the skill it names', async () => {
    const client = await mesh.client(`${mesh.url}/.well-known/agent-card.json`);
    const task = (await client.sendMessage(
      sendParams('Grace', { metadata: { skill: 'steps' } }),
    )) as Task;
    expect(statusText(task)).toBe('hello Grace');
    await expect(client.sendMessage(sendParams('Grace'))).rejects.toThrow(/name a skill.*steps/);
  });

  it('serves v0.3 clients through the compatibility layer', async () => {
    const card = AgentCard.fromJSON(
      await (
        await fetch(`${mesh.url}/agents/steps-agent/.well-known/agent-card.json`, {
          headers: { 'A2A-Version': '1.0' },
        })
      ).json(),
    );
    const transport = new LegacyJsonRpcTransport({
      endpoint: `${mesh.url}/agents/steps-agent/jsonrpc`,
      fetchImpl: bearerFetch(await mesh.key()),
    });
    const client = new Client(transport, card);
    const task = (await client.sendMessage(sendParams('Linus'))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(statusText(task)).toBe('hello Linus');
    const again = await client.getTask({ tenant: '', id: task.id, historyLength: undefined });
    expect(again.id).toBe(task.id);
  });

  it('rate-limits each credential with 429 and Retry-After', async () => {
    const limited = await mesh.startPeer({
      SB_A2A__RATE_LIMIT__CAPACITY: '1',
      SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: '0.01',
    });
    const token = await mesh.key([{ kind: 'subscribe', topics: ['limited.only'] }]);
    const call = () =>
      fetch(`http://127.0.0.1:${limited.port}/agents/steps-agent/jsonrpc`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'A2A-Version': '1.0',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
      });
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  // Last in the file: it drains this address's bucket, which every peer of the file shares.
  it('turns a flood from one address away before resolving its tokens', async () => {
    const guarded = await mesh.startPeer({
      SB_A2A__RATE_LIMIT_PER_IP__CAPACITY: '2',
      SB_A2A__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: '0.01',
    });
    const call = () =>
      fetch(`http://127.0.0.1:${guarded.port}/agents/steps-agent/jsonrpc`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer not-a-key',
          'content-type': 'application/json',
          'A2A-Version': '1.0',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
      });
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await call()).status);
    expect(statuses.slice(-2)).toEqual([429, 429]);
    expect(statuses).toContain(401);
  });
});
