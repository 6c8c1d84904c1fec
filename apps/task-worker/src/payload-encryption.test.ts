import { randomBytes } from 'node:crypto';
import type { Bus } from '@switchboard/bus';
import { connectPostgres, type Database } from '@switchboard/db';
import {
  PayloadsReencryptRpc,
  TaskGetRpc,
  TaskProgressRpc,
  TaskScheduleListRpc,
  TaskSchedulePutRpc,
} from '@switchboard/protocol';
import { type AgentClient, SbError } from '@switchboard/sdk';
import { agentPrincipal, connectTestBus, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

let mesh: TaskMesh;
let bus: Bus;
let database: Database;
let boss: AgentClient;
const admin = keyPrincipal('admin', ['admin']);
const secret = 'the-plaintext-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const encryption = (activeKeyId: string, ids: (keyof typeof keys)[]) => ({
  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
  SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
    Object.fromEntries(ids.map((id) => [id, keys[id]])),
  ),
});
const PAYLOADS = ['input', 'result', 'error', 'progress'] as const;

const call = <R>(operation: string, rpc: Parameters<Bus['request']>[1], request: unknown) =>
  bus.request(bus.subjects.rpc('tasks', operation), rpc, request as never, {
    principal: admin,
  }) as Promise<R>;

async function rawTask(id: string) {
  const [row] = await database.sql<Record<string, Buffer | string | null>[]>`
    SELECT input, input_key_id, result, result_key_id, error, error_key_id, progress,
      progress_key_id FROM tasks.tasks WHERE id = ${id}`;
  return row as Record<string, Buffer | string | null>;
}

beforeAll(async () => {
  mesh = await createTaskMesh();
  await mesh.startGateway('gw-a');
  bus = await connectTestBus(mesh.context.namespace, 10_000);
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
}, 60_000);
afterAll(async () => {
  await database?.close();
  await bus?.close();
  await mesh?.stop();
});

describe('task payload encryption', () => {
  it('stores input, progress, result, error and schedule input encrypted, reads them back, detects a moved ciphertext, rotates keys', async () => {
    const first = await mesh.startWorker(encryption('k1', ['k1']));
    boss = await mesh.agent('gw-a', info('e-boss'));
    await boss.tasks.registerType({ name: 'vault.run', retry: { maxAttempts: 1 } });
    const worker = await mesh.agent('gw-a', info('e-worker'));
    await worker.tasks.handle('vault.run', async (input, context) => {
      await context.progress({ secret, step: 1 });
      if ((input as { fail?: boolean }).fail === true) throw new SbError('E_UNAVAILABLE', secret);
      return { secret, done: true };
    });
    const ok = await boss.tasks.submit('vault.run', { secret });
    const failed = await boss.tasks.submit('vault.run', { secret, fail: true });
    expect(await boss.tasks.wait(ok.taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'succeeded',
      input: { secret },
      result: { secret, done: true },
      progress: { secret, step: 1 },
    });
    expect(await boss.tasks.wait(failed.taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'E_UNAVAILABLE', message: secret },
    });
    await call('schedules.put', TaskSchedulePutRpc, {
      name: 'vault-nightly',
      type: 'vault.run',
      cron: '0 3 * * *',
      input: { secret },
    });

    const okRow = await rawTask(ok.taskId);
    const failedRow = await rawTask(failed.taskId);
    for (const [row, columns] of [
      [okRow, ['input', 'result', 'progress']],
      [failedRow, ['input', 'error', 'progress']],
    ] as const) {
      for (const column of columns) {
        expect(row[`${column}_key_id`]).toBe('k1');
        expect((row[column] as Buffer).includes(Buffer.from(secret))).toBe(false);
      }
    }
    const [schedule] = await database.sql<{ input: Buffer; input_key_id: string }[]>`
      SELECT input, input_key_id FROM tasks.schedules`;
    expect(schedule?.input_key_id).toBe('k1');
    expect(schedule?.input.includes(Buffer.from(secret))).toBe(false);

    // The failed task's input gets the succeeded task's ciphertext.
    await database.sql`
      UPDATE tasks.tasks AS target SET input = source.input, input_nonce = source.input_nonce
      FROM tasks.tasks AS source WHERE target.id = ${failed.taskId} AND source.id = ${ok.taskId}`;
    await expect(call('get', TaskGetRpc, { taskId: failed.taskId })).rejects.toMatchObject({
      code: 'E_INTERNAL',
    });
    await database.sql`DELETE FROM tasks.tasks WHERE id = ${failed.taskId}`;

    // Rotation: k1 records stay readable under k2, and the job moves every payload to k2.
    await mesh.startWorker(encryption('k2', ['k1', 'k2']));
    await first.stop();
    expect(await call('get', TaskGetRpc, { taskId: ok.taskId })).toMatchObject({
      input: { secret },
      result: { secret, done: true },
    });
    expect(await call('payloads.reencrypt', PayloadsReencryptRpc, {})).toEqual({
      service: 'tasks',
      activeKeyId: 'k2',
      reencrypted: 4,
      remaining: 0,
      done: true,
    });
    const moved = await rawTask(ok.taskId);
    expect(PAYLOADS.map((column) => moved[`${column}_key_id`])).toEqual(['k2', 'k2', null, 'k2']);
    expect(
      (await call<{ items: Array<{ input: unknown }> }>('schedules.list', TaskScheduleListRpc, {}))
        .items[0]?.input,
    ).toEqual({ secret });
  });

  it('pushes the other tasks when one input does not decrypt', async () => {
    await boss.tasks.registerType({ name: 'vault.later', retry: { maxAttempts: 1 } });
    const altered = await boss.tasks.submit('vault.later', { secret, n: 1 });
    const intact = await boss.tasks.submit('vault.later', { secret, n: 2 });
    await database.sql`
      UPDATE tasks.tasks SET input_nonce = ${randomBytes(12)} WHERE id = ${altered.taskId}`;
    const seen: unknown[] = [];
    const worker = await mesh.agent('gw-a', info('e-later'));
    await worker.tasks.handle('vault.later', async (input) => {
      seen.push(input);
      return null;
    });
    expect(await boss.tasks.wait(intact.taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'succeeded',
    });
    expect(seen).toEqual([{ secret, n: 2 }]);
  });

  it('reads back progress an agent reported naming its task in upper case', async () => {
    await boss.tasks.registerType({ name: 'vault.upper', retry: { maxAttempts: 1 } });
    const worker = await mesh.agent('gw-a', info('e-upper'));
    const executor = agentPrincipal('e-upper', [
      { kind: 'task', types: ['>'], actions: ['execute'] },
    ]);
    await worker.tasks.handle('vault.upper', async (_input, context) => {
      await bus.request(
        bus.subjects.rpc('tasks', TaskProgressRpc.operation),
        TaskProgressRpc,
        { taskId: context.taskId.toUpperCase(), attempt: context.attempt, progress: { secret } },
        { principal: executor },
      );
      return null;
    });
    const { taskId } = await boss.tasks.submit('vault.upper', null);
    expect(await boss.tasks.wait(taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'succeeded',
      progress: { secret },
    });
  });
});
