import { randomBytes } from 'node:crypto';
import { Message, type Task, TaskState } from '@a2a-js/sdk';
import { connectPostgres, type Database } from '@switchboard/db';
import { PayloadsReencryptRpc } from '@switchboard/protocol';
import { connectTestBus, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, createA2aMesh, freePort } from './test-mesh.ts';

// The A2A peer's payloads at rest: task records, their events, push configs and queued
// notifications are encrypted with the active key, read back, and moved to a new key by the
// re-encryption job.

let mesh: A2aMesh;
let database: Database;
const secret = 'the-plaintext-marker';
const pushToken = 'the-push-token-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const peerEnv = (activeKeyId: string, ids: (keyof typeof keys)[]) => ({
  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
  SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
    Object.fromEntries(ids.map((id) => [id, keys[id]])),
  ),
  // The queued notifications stay in the queue: nothing sends or re-claims them in this test.
  SB_A2A__PUSH__POLL_MS: '60000',
});

/** Every stored payload of the A2A tables: its table, key id and bytes. */
const rawPayloads = () =>
  database.sql<{ source: string; key_id: string | null; bytes: Buffer }[]>`
    SELECT 'tasks' AS source, record_key_id AS key_id, record AS bytes FROM a2a.tasks
    UNION ALL SELECT 'task_events', event_key_id, event FROM a2a.task_events
    UNION ALL SELECT 'push_configs', config_key_id, config FROM a2a.push_configs
    UNION ALL SELECT 'push_queue', event_key_id, event FROM a2a.push_queue`;

const textOf = (task: Task) =>
  task.history
    .flatMap((message) =>
      message.parts.map((part) => (part.content?.$case === 'text' ? part.content.value : '')),
    )
    .join(' | ');

async function clientOfAgent() {
  return mesh.client(`${mesh.url}/agents/vault-agent/.well-known/agent-card.json`);
}

beforeAll(async () => {
  mesh = await createA2aMesh();
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
  const agent = await mesh.agent('vault-agent');
  agent.onMessage(async (message) => {
    const payload = message.payload as { message: { parts: { text?: string }[] } };
    return `kept: ${payload.message.parts.map((part) => part.text ?? '').join('')}`;
  });
}, 120_000);

afterAll(async () => {
  await database?.close();
  await mesh?.stop();
});

describe('A2A payload encryption', () => {
  it('stores task records, events, push configs and queued pushes encrypted, reads them back, re-encrypts them', async () => {
    const first = await mesh.startPeer(peerEnv('k1', ['k1']));
    // Nothing listens there: the notifications wait in the queue.
    const hookUrl = `http://127.0.0.1:${await freePort()}/hook`;
    const client = await clientOfAgent();
    const task = (await client.sendMessage({
      tenant: '',
      message: Message.fromJSON({
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text: secret }],
      }),
      configuration: {
        acceptedOutputModes: [],
        taskPushNotificationConfig: {
          tenant: '',
          id: 'hook',
          taskId: '',
          url: hookUrl,
          token: pushToken,
          authentication: undefined,
        },
        returnImmediately: false,
      },
      metadata: undefined,
    })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const stored = await rawPayloads();
    expect(new Set(stored.map((row) => row.source))).toEqual(
      new Set(['tasks', 'task_events', 'push_configs', 'push_queue']),
    );
    for (const row of stored) {
      expect(row.key_id).toBe('k1');
      expect(row.bytes.includes(Buffer.from(secret))).toBe(false);
      expect(row.bytes.includes(Buffer.from(pushToken))).toBe(false);
    }
    const read = await client.getTask({ tenant: '', id: task.id, historyLength: undefined });
    expect(textOf(read)).toBe(`${secret} | kept: ${secret}`);
    const [config] = (
      await client.listTaskPushNotificationConfig({
        tenant: '',
        taskId: task.id,
        pageSize: 10,
        pageToken: '',
      })
    ).configs;
    expect(config).toMatchObject({ id: 'hook', url: hookUrl, token: pushToken });

    await first.stop();
    await mesh.startPeer(peerEnv('k2', ['k1', 'k2']));
    const bus = await connectTestBus(mesh.context.namespace);
    try {
      const progress = await bus.request(
        bus.subjects.rpc('a2a', PayloadsReencryptRpc.operation),
        PayloadsReencryptRpc,
        {},
        { principal: keyPrincipal('admin', ['admin']) },
      );
      expect(progress).toEqual({
        service: 'a2a',
        activeKeyId: 'k2',
        reencrypted: stored.length,
        remaining: 0,
        done: true,
      });
    } finally {
      await bus.close();
    }
    expect((await rawPayloads()).map((row) => row.key_id)).toEqual(stored.map(() => 'k2'));
    const again = await (await clientOfAgent()).getTask({
      tenant: '',
      id: task.id,
      historyLength: undefined,
    });
    expect(textOf(again)).toBe(`${secret} | kept: ${secret}`);
  });
});
