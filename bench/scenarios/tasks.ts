import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Grant, mintApiKey } from '@switchboard/authz';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { runBaseline } from '../lib/queue-baselines.ts';
import type { BenchContext, BenchRow, Scenario } from '../lib/scenario.ts';

const here = dirname(fileURLToPath(import.meta.url));

const grants: Grant[] = [
  { kind: 'task', types: ['bench.>'], actions: ['submit', 'execute', 'read', 'cancel'] },
];

interface AgentsResult {
  kind: 'result';
  completed: number;
  errors: number;
  submitMs: number;
  elapsedMs: number;
  latency: string;
}

/** `SB_TASKS__*` settings given to `pnpm bench` go on to the task workers (for tuning runs). */
function workerSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('SB_TASKS__') && entry[1] !== undefined,
    ),
  );
}

/** One run: a fresh namespace, `replicas` task workers, two gateways, one load process. */
async function runOnce(context: BenchContext, replicas: number, tasks: number): Promise<BenchRow> {
  const testContext = await createTestContext();
  const bootstrap = mintApiKey();
  const common = { ...testContext.env, SB_LOG__LEVEL: 'warn' };
  const services: ServiceProcess[] = [];
  const child = fork(join(here, '../workers/task-agents.ts'), { execArgv: ['--import', 'tsx'] });
  try {
    for (let index = 0; index < replicas; index += 1) {
      services.push(
        await spawnService('task-worker', { ...common, ...workerSettings(), SB_TASKS__PORT: '0' }),
      );
    }
    const gateways: ServiceProcess[] = [];
    for (const id of ['gateway-a', 'gateway-b']) {
      const gateway = await spawnService('gateway', {
        ...common,
        ...liftedGatewayLimits,
        SB_GATEWAY__PORT: '0',
        SB_INSTANCE_ID: id,
        SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
      });
      gateways.push(gateway);
      services.push(gateway);
    }
    const [submitterGateway, executorGateway] = gateways as [ServiceProcess, ServiceProcess];
    const apiKey = await createAgentKey(submitterGateway.port, bootstrap.token, grants);
    context.note(`tasks: ${tasks} tasks, ${replicas} task-worker replica(s)`);
    const result = await new Promise<AgentsResult>((resolve, reject) => {
      child.once('message', (reply: AgentsResult | { kind: 'error'; message: string }) =>
        reply.kind === 'result' ? resolve(reply) : reject(new Error(reply.message)),
      );
      child.once('exit', (code) => reject(new Error(`the load process exited (${code})`)));
      child.send({
        submitterUrl: `ws://127.0.0.1:${submitterGateway.port}`,
        executorUrl: `ws://127.0.0.1:${executorGateway.port}`,
        apiKey,
        namespace: testContext.namespace,
        natsServers: context.params.natsServers,
        executors: Number(process.env.SB_BENCH_TASK_EXECUTORS ?? 4),
        submitters: Number(process.env.SB_BENCH_TASK_SUBMITTERS ?? 4),
        window: Number(process.env.SB_BENCH_TASK_WINDOW ?? 128),
        tasks,
        timeoutMs: Number(process.env.SB_BENCH_TASK_TIMEOUT_MS ?? 300_000),
      });
    });
    const histogram = decodeFromCompressedBase64(result.latency);
    const ms = (percentile: number) =>
      Math.round(histogram.getValueAtPercentile(percentile)) / 1000;
    return {
      variant: `${replicas} task-worker replica${replicas === 1 ? '' : 's'}`,
      ops: result.completed,
      elapsedMs: result.elapsedMs,
      p50Ms: ms(50),
      p99Ms: ms(99),
      extra: {
        'completed/s': Math.round(result.completed / (result.elapsedMs / 1000)),
        'submitted/s': Math.round(tasks / (result.submitMs / 1000)),
        errors: result.errors,
        lost: tasks - result.completed - result.errors,
      },
    };
  } finally {
    child.kill('SIGTERM');
    for (const service of services) await service.stop();
    await testContext.cleanup();
  }
}

/**
 * The same number of no-op jobs through BullMQ (one worker process, concurrency 50) and pg-boss
 * 10 (`send()` + `work()`, 10 workers x batch 100 and x batch 1,000 at its minimum 0.5 s poll),
 * end to end: the figures a user compares the task worker with.
 */
async function runBaselines(context: BenchContext, jobs: number): Promise<BenchRow[]> {
  const testContext = await createTestContext();
  const run = {
    jobs,
    // As many sends in flight as the tasks scenario's submitters keep.
    senders:
      Number(process.env.SB_BENCH_TASK_SUBMITTERS ?? 4) *
      Number(process.env.SB_BENCH_TASK_WINDOW ?? 128),
    redisUrl: testContext.env.SB_REDIS__URL as string,
    redisPrefix: `${testContext.namespace}:bull`,
    databaseUrl: testContext.database.url,
    note: context.note,
  };
  try {
    const rows: BenchRow[] = [];
    for (const baseline of [
      { system: 'bullmq', concurrency: 50 },
      { system: 'pg-boss', workers: 10, batchSize: 100, pollingIntervalSeconds: 0.5 },
      { system: 'pg-boss', workers: 10, batchSize: 1000, pollingIntervalSeconds: 0.5 },
    ] as const) {
      rows.push(await runBaseline(baseline, run));
    }
    return rows;
  } finally {
    await testContext.cleanup();
  }
}

/**
 * Trivial tasks through the full mesh: SDK submitters on one gateway, SDK executors on another,
 * one and then two task-worker replicas. Completed tasks/s (first submit → last success) and
 * submit→succeeded latency (from the task worker's change events).
 */
export const tasks: Scenario = {
  name: 'tasks',
  description:
    'N trivial tasks (SB_BENCH_TASKS, default 20000) submitted and run by SDK agents over 2 gateways, 1 and 2 task-worker replicas, then the same N no-op jobs through BullMQ and pg-boss: completed/s (first submit to last completion), p50/p99 submit to completion',
  async run(context) {
    const count = Number(process.env.SB_BENCH_TASKS ?? 20_000);
    const rows: BenchRow[] = [];
    for (const replicas of [1, 2]) rows.push(await runOnce(context, replicas, count));
    rows.push(...(await runBaselines(context, count)));
    const [ours] = rows;
    const pgBoss = rows.find((row) => row.variant.includes('batch 100'));
    const bullmq = rows.find((row) => row.variant.startsWith('bullmq'));
    const rate = (row: BenchRow | undefined) =>
      row === undefined ? undefined : row.ops / (row.elapsedMs / 1000);
    const ratio = (other: BenchRow | undefined) => {
      const theirs = rate(other);
      const mine = rate(ours);
      return theirs === undefined || mine === undefined ? 'n/a' : (mine / theirs).toFixed(2);
    };
    if (ours !== undefined) {
      ours.extra = { ...ours.extra, 'x pg-boss': ratio(pgBoss), 'x bullmq': ratio(bullmq) };
    }
    return rows;
  },
};
