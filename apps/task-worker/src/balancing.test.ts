import type { AgentClient, AssignmentStrategy } from '@switchboard/sdk';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

// How the assignment strategies spread tasks over the agents that execute a type (docs/tasks.md).

let mesh: TaskMesh;
let boss: AgentClient;

beforeAll(async () => {
  mesh = await createTaskMesh();
  await mesh.startWorker();
  await mesh.startGateway('gw-a');
  boss = await mesh.agent('gw-a', info('lb-boss'));
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

/** Connects `agents` executing `type`; counts the tasks each one runs. */
async function executors(
  type: string,
  agents: Array<{ id: string; labels?: Record<string, string> }>,
  handler: () => Promise<void> = async () => undefined,
) {
  const counts = new Map<string, number>();
  for (const agent of agents) {
    const client = await mesh.agent('gw-a', info(agent.id, ['lb'], agent.labels));
    counts.set(agent.id, 0);
    await client.tasks.handle(type, async () => {
      counts.set(agent.id, (counts.get(agent.id) ?? 0) + 1);
      await handler();
      return null;
    });
  }
  return counts;
}

/** Submits `count` tasks of `type` one after the other, each waited for. */
async function runInTurn(type: string, count: number) {
  for (let index = 0; index < count; index += 1) {
    const { taskId } = await boss.tasks.submit(type, index);
    await boss.tasks.wait(taskId, { timeoutMs: 10_000 });
  }
}

const register = (name: string, strategy: AssignmentStrategy) =>
  boss.tasks.registerType({ name, capabilities: ['lb'], strategy });

describe('assignment strategies', () => {
  it('round-robin takes the agents in turn', async () => {
    await register('lb.rr', 'round_robin');
    const counts = await executors('lb.rr', [{ id: 'rr-1' }, { id: 'rr-2' }, { id: 'rr-3' }]);
    await runInTurn('lb.rr', 9);
    expect([...counts.values()]).toEqual([3, 3, 3]);
  });

  it('weighted gives each agent a share proportional to its weight label', async () => {
    await register('lb.weighted', 'weighted');
    const counts = await executors('lb.weighted', [
      { id: 'w-heavy', labels: { weight: '3' } },
      { id: 'w-light', labels: { weight: '1' } },
    ]);
    await runInTurn('lb.weighted', 8);
    expect(Object.fromEntries(counts)).toEqual({ 'w-heavy': 6, 'w-light': 2 });
  });

  it('least-loaded hands each task to the agent running the fewest', async () => {
    await register('lb.least', 'least_loaded');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const counts = await executors(
      'lb.least',
      [{ id: 'll-1' }, { id: 'll-2' }, { id: 'll-3' }],
      () => held,
    );
    const ids = [];
    for (let index = 0; index < 6; index += 1) {
      ids.push((await boss.tasks.submit('lb.least', index)).taskId);
    }
    await waitFor(() => [...counts.values()].reduce((a, b) => a + b, 0) === 6);
    expect([...counts.values()]).toEqual([2, 2, 2]);
    release();
    for (const id of ids) await boss.tasks.wait(id, { timeoutMs: 10_000 });
  });
});
