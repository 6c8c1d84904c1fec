import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AgentClient } from '@switchboard/sdk';
import { type ServiceProcess, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

// The promise under faults: every submitted task reaches a final state once, none is lost and
// none succeeds twice, whatever happens to a task-worker replica or an executing agent.

let mesh: TaskMesh;
let boss: AgentClient;

beforeAll(async () => {
  mesh = await createTaskMesh();
  // Processes of their own: one is SIGKILLed.
  await mesh.startWorker({}, { asProcess: true });
  await mesh.startWorker({}, { asProcess: true });
  await mesh.startGateway('gw-a');
  await mesh.startGateway('gw-b');
  boss = await mesh.agent('gw-a', info('crash-boss'));
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

/** Submits `count` tasks of `type`, 50 at a time; `midway` runs once half are stored. */
async function submitAll(type: string, count: number, midway: () => Promise<void>) {
  const ids: string[] = [];
  let fault: Promise<void> | undefined;
  for (let start = 0; start < count; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, index) =>
        // With a key the SDK sends a submit again when the replica handling it dies first.
        boss.tasks.submit(
          type,
          { index: start + index },
          { idempotencyKey: `${type}-${start + index}` },
        ),
      ),
    );
    ids.push(...batch.map((result) => result.taskId));
    if (ids.length >= count / 2) fault ??= midway();
  }
  await fault;
  return ids;
}

/** Every task final, and each one's history: exactly one success when it succeeded. */
async function expectEachFinalOnce(ids: string[]) {
  await waitFor(
    async () => {
      const page = await boss.tasks.list({ limit: 500 });
      const final = page.items.filter(
        (task) => ids.includes(task.id) && task.status === 'succeeded',
      );
      return final.length === ids.length;
    },
    { timeoutMs: 60_000 },
  );
  for (const id of ids) {
    const history = await boss.tasks.history(id);
    expect(history.filter((step) => step.to === 'succeeded')).toHaveLength(1);
  }
}

describe('tasks under faults', () => {
  it('runs every task once to success with two replicas when one is SIGKILLed mid-run', async () => {
    await boss.tasks.registerType({ name: 'crash.work', retry: { maxAttempts: 10 } });
    const executions = new Map<string, number>();
    for (const [gatewayId, agentId] of [
      ['gw-a', 'crash-w1'],
      ['gw-b', 'crash-w2'],
      ['gw-b', 'crash-w3'],
    ] as const) {
      const worker = await mesh.agent(gatewayId, info(agentId));
      await worker.tasks.handle(
        'crash.work',
        async (input, context) => {
          executions.set(context.taskId, (executions.get(context.taskId) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return input;
        },
        { concurrency: 8 },
      );
    }
    const ids = await submitAll('crash.work', 300, async () => {
      const victim = mesh.workers[0] as ServiceProcess;
      await victim.stop('SIGKILL');
      await mesh.startWorker({}, { asProcess: true });
    });
    await expectEachFinalOnce(ids);
    const results = await Promise.all(ids.slice(0, 20).map((id) => boss.tasks.get(id)));
    expect(results.map((task) => (task.result as { index: number }).index)).toEqual(
      results.map((task) => (task.input as { index: number }).index),
    );
    // At least once: a task whose worker died mid-claim may run again, never succeed again.
    expect([...executions.values()].every((count) => count >= 1)).toBe(true);
  }, 120_000);

  it('takes back the tasks of an agent SIGKILLed mid-task and runs them elsewhere', async () => {
    await boss.tasks.registerType({ name: 'crash.slow', retry: { maxAttempts: 5 } });
    const gateway = mesh.gateways.get('gw-a');
    const executorScript = fileURLToPath(new URL('./test-executor-process.ts', import.meta.url));
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', executorScript], {
      env: {
        PATH: process.env.PATH ?? '',
        SB_TEST_URL: `ws://127.0.0.1:${gateway?.port}`,
        SB_TEST_API_KEY: await mesh.agentKey(),
        SB_TEST_AGENT_ID: 'crash-doomed',
        SB_TEST_TASK_TYPE: 'crash.slow',
        SB_TEST_HANDLER_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = new Set<string>();
    let ready = false;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line === 'ready') ready = true;
      if (line.startsWith('started ')) started.add(line.split(' ')[1] as string);
    });
    await waitFor(() => ready, { timeoutMs: 20_000 });
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, index) => boss.tasks.submit('crash.slow', index)),
    ).then((results) => results.map((result) => result.taskId));
    await waitFor(() => started.size === 8, { timeoutMs: 20_000 });
    child.kill('SIGKILL');
    const rescuer = await mesh.agent('gw-b', info('crash-rescuer'));
    await rescuer.tasks.handle('crash.slow', async (input) => input, { concurrency: 8 });
    for (const id of ids) {
      const task = await boss.tasks.wait(id, { timeoutMs: 30_000 });
      expect(task).toMatchObject({ status: 'succeeded', agentId: 'crash-rescuer', attempt: 2 });
      const history = await boss.tasks.history(id);
      expect(history.map((step) => [step.to, step.agentId, step.reason])).toEqual([
        ['queued', null, 'submitted'],
        ['running', 'crash-doomed', null],
        ['queued', 'crash-doomed', 'lease_expired'],
        ['running', 'crash-rescuer', null],
        ['succeeded', 'crash-rescuer', 'completed'],
      ]);
    }
  }, 120_000);
});
