import { type ServiceProcess, spawnService } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The operator API as the gateway serves it, in process, with a real task-worker process on the
// same bus (its own namespace and database).
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;
let worker: ServiceProcess;
const sb = cliAgainst(() => gateway);

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
  worker = await spawnService('task-worker', {
    ...gateway.context.env,
    SB_TASKS__PORT: '0',
    SB_TASKS__SWEEP_INTERVAL_MS: '50',
  });
  const registered = await gateway.call('PUT', '/v1/task-types/cli.job', {
    token: gateway.adminToken,
    body: { capabilities: ['cli'], retry: { maxAttempts: 2 } },
  });
  expect(registered.statusCode).toBe(200);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await gateway?.stop();
});

describe('tasks', () => {
  it('submits a task, lists it, shows it with its history and cancels it', async () => {
    const submitted = await sb([
      'tasks',
      'submit',
      'cli.job',
      '{"n":1}',
      '--key',
      'once',
      '--json',
    ]);
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    const { taskId, status } = JSON.parse(submitted.stdout) as { taskId: string; status: string };
    expect(status).toBe('queued');
    const again = await sb(['tasks', 'submit', 'cli.job', '{"n":2}', '--key', 'once']);
    expect(again.stdout).toBe(`${taskId} queued (duplicate: the first task with this key)\n`);

    const listed = await sb(['tasks', 'ls', '--type', 'cli.job']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(taskId);
    expect(listed.stdout).toContain('0/2');

    const shown = await sb(['tasks', 'get', taskId]);
    expect(shown.stdout).toContain('{"n":1}');
    expect(shown.stdout).toMatch(/submitted\s+/);

    const cancelled = await sb(['tasks', 'cancel', taskId, '--reason', 'not today']);
    expect(cancelled.stdout).toBe(`${taskId} cancelled\n`);
    const history = JSON.parse((await sb(['tasks', 'get', taskId, '--json'])).stdout) as {
      history: Array<{ to: string; reason: string | null }>;
    };
    expect(history.history.at(-1)).toEqual(
      expect.objectContaining({ to: 'cancelled', reason: 'not today' }),
    );
    const twice = await sb(['tasks', 'cancel', taskId]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('E_CONFLICT');
  });

  it('lists task types, and refuses input that is not JSON', async () => {
    const types = await sb(['tasks', 'types']);
    expect(types.stdout).toContain('cli.job');
    expect(types.stdout).toContain('least_loaded');
    const bad = await sb(['tasks', 'submit', 'cli.job', 'not json']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('JSON');
  });
});
