import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

// The operator HTTP API's task routes on a real gateway process, in front of a real task worker.

let mesh: TaskMesh;
let base: string;

beforeAll(async () => {
  mesh = await createTaskMesh();
  await mesh.startWorker();
  const gateway = await mesh.startGateway('gw-a');
  base = `http://127.0.0.1:${gateway.port}`;
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

async function call(method: string, path: string, body?: unknown, token = mesh.adminToken) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/v1/tasks, /v1/task-types, /v1/task-schedules', () => {
  it('registers a type, submits a task an agent runs, and reads it back with its history', async () => {
    const type = await call('PUT', '/v1/task-types/api.echo', {
      inputSchema: { type: 'object', required: ['text'] },
      retry: { maxAttempts: 2 },
    });
    expect(type).toMatchObject({ status: 200, body: { name: 'api.echo', version: 1 } });
    const agent = await mesh.agent('gw-a', info('api-echoer'));
    await agent.tasks.handle('api.echo', async (input) => input);

    const refused = await call('POST', '/v1/tasks', { type: 'api.echo', input: {} });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'E_VALIDATION' });

    const submitted = await call('POST', '/v1/tasks', {
      type: 'api.echo',
      input: { text: 'hi' },
      idempotencyKey: 'op-1',
    });
    expect(submitted.status).toBe(202);
    const taskId = submitted.body.taskId as string;
    expect(
      (
        await call('POST', '/v1/tasks', {
          type: 'api.echo',
          input: { text: 'hi' },
          idempotencyKey: 'op-1',
        })
      ).body,
    ).toMatchObject({ taskId, duplicate: true });
    // The agent's grants let it read every type's tasks, the operator's too.
    await agent.tasks.wait(taskId, { timeoutMs: 10_000 });
    const task = await call('GET', `/v1/tasks/${taskId}`);
    expect(task.body).toMatchObject({ status: 'succeeded', result: { text: 'hi' } });
    const history = await call('GET', `/v1/tasks/${taskId}/history`);
    expect((history.body.items as Array<{ to: string }>).map((step) => step.to)).toEqual([
      'queued',
      'running',
      'succeeded',
    ]);
    const listed = await call('GET', '/v1/tasks?type=api.echo&status=succeeded&limit=10');
    expect((listed.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([taskId]);
    expect((await call('GET', '/v1/task-types')).body.items).toHaveLength(1);
  });

  it('cancels a queued task, and refuses to cancel it twice', async () => {
    await call('PUT', '/v1/task-types/api.idle', {});
    const { body } = await call('POST', '/v1/tasks', { type: 'api.idle', input: 1 });
    const cancelled = await call('POST', `/v1/tasks/${body.taskId}/cancel`, { reason: 'ops' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect((await call('POST', `/v1/tasks/${body.taskId}/cancel`, {})).status).toBe(409);
    expect((await call('GET', '/v1/tasks/01890000-0000-7000-8000-000000000000')).status).toBe(404);
  });

  it('keeps cron schedules', async () => {
    const put = await call('PUT', '/v1/task-schedules/nightly', {
      type: 'api.idle',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
    });
    expect(put).toMatchObject({ status: 200, body: { name: 'nightly', timezone: 'Europe/Paris' } });
    expect((await call('GET', '/v1/task-schedules')).body.items).toHaveLength(1);
    expect((await call('DELETE', '/v1/task-schedules/nightly')).body).toEqual({ removed: true });
  });

  it('needs tasks:write to submit: an observer key is refused', async () => {
    const key = await call('POST', '/v1/keys', { name: 'watcher', roles: ['observer'] });
    const token = key.body.token as string;
    expect((await call('GET', '/v1/tasks', undefined, token)).status).toBe(200);
    expect((await call('POST', '/v1/tasks', { type: 'api.idle' }, token)).status).toBe(403);
  });
});
