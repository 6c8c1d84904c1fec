import { Role, TaskState } from '@a2a-js/sdk';
import type { AgentClient } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, createA2aMesh } from './test-mesh.ts';

// A2A served for local agents, end to end: the official @a2a-js/sdk client calls our peer over
// both bindings; the peer routes to SDK agents through the router; their answers come back as
// A2A task updates.

let mesh: A2aMesh;
let echo: AgentClient;

const userMessage = (text: string, fields: { taskId?: string; contextId?: string } = {}) => ({
  messageId: crypto.randomUUID(),
  role: Role.ROLE_USER,
  parts: [
    {
      content: { $case: 'text' as const, value: text },
      metadata: undefined,
      filename: '',
      mediaType: '',
    },
  ],
  contextId: fields.contextId ?? '',
  taskId: fields.taskId ?? '',
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});

const textOf = (task: {
  status?: { message?: { parts: { content?: { $case: string; value: unknown } }[] } };
}) =>
  task.status?.message?.parts
    .map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
    .join('');

beforeAll(async () => {
  mesh = await createA2aMesh();
  await mesh.startPeer();
  echo = await mesh.agent('echo-agent', {
    capabilities: [
      { name: 'echo', metadata: { description: 'Says back what it hears', tags: ['test'] } },
    ],
  });
  echo.onMessage(async (message) => {
    const payload = message.payload as { message: { parts: { text?: string }[] } };
    return `echo: ${payload.message.parts.map((part) => part.text ?? '').join('')}`;
  });
  await mesh.agent('hidden-agent', { published: false });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('agent cards', () => {
  it('publishes the orchestrator card with the skills of published agents', async () => {
    const response = await fetch(`${mesh.url}/.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    expect(response.status).toBe(200);
    const card = (await response.json()) as {
      name: string;
      supportedInterfaces: { url: string; protocolBinding: string; protocolVersion: string }[];
      skills: { id: string; description: string; tags?: string[] }[];
      capabilities: { streaming: boolean; pushNotifications: boolean };
    };
    expect(card.name).toBe('Switchboard');
    expect(card.capabilities).toMatchObject({ streaming: true, pushNotifications: true });
    expect(card.supportedInterfaces).toEqual(
      expect.arrayContaining([
        { url: `${mesh.url}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: `${mesh.url}/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
        { url: `${mesh.url}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ]),
    );
    expect(card.skills).toEqual([
      expect.objectContaining({
        id: 'echo',
        description: 'Says back what it hears',
        tags: ['test'],
      }),
    ]);
  });

  it('publishes a card per opted-in agent and none for the others', async () => {
    const card = (await (
      await fetch(`${mesh.url}/agents/echo-agent/.well-known/agent-card.json`, {
        headers: { 'A2A-Version': '1.0' },
      })
    ).json()) as { name: string; description: string; supportedInterfaces: { url: string }[] };
    expect(card.name).toBe('echo-agent');
    expect(card.description).toBe('echo-agent for tests');
    expect(card.supportedInterfaces[0]?.url).toBe(`${mesh.url}/agents/echo-agent/jsonrpc`);

    const hidden = await fetch(`${mesh.url}/agents/hidden-agent/.well-known/agent-card.json`);
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { code: string }).code).toBe('E_NOT_FOUND');
  });
});

describe('calls', () => {
  it('refuses a call without credentials with 401 and a Bearer challenge', async () => {
    const response = await fetch(`${mesh.url}/agents/echo-agent/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  for (const binding of ['JSONRPC', 'HTTP+JSON'] as const) {
    it(`answers SendMessage through the agent over ${binding}`, async () => {
      const client = await mesh.client(
        `${mesh.url}/agents/echo-agent/.well-known/agent-card.json`,
        {
          binding,
        },
      );
      const result = await client.sendMessage({
        tenant: '',
        message: userMessage('hello'),
        configuration: undefined,
        metadata: undefined,
      });
      expect('status' in result).toBe(true);
      const task = result as Awaited<ReturnType<typeof client.getTask>>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(task)).toBe('echo: hello');

      const again = await client.getTask({ tenant: '', id: task.id, historyLength: undefined });
      expect(again.history.map((message) => message.role)).toEqual([
        Role.ROLE_USER,
        Role.ROLE_AGENT,
      ]);
    });
  }
});
