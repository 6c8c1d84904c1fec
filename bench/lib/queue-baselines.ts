import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import PgBoss from 'pg-boss';
import type { BaselineWorkerSetup } from '../workers/queue-baseline-worker.ts';
import { percentileMs } from './closed-loop.ts';
import type { BenchRow } from './scenario.ts';

// The figures a user compares Switchboard's tasks with: the same number of no-op jobs through
// BullMQ (Redis) and pg-boss (Postgres), each with its worker in a process of its own. A run is
// end to end: from the first send to the moment the queue's own store counts every job
// completed (polled every POLL_MS), the same span the tasks scenario measures for Switchboard.

const here = dirname(fileURLToPath(import.meta.url));
const POLL_MS = 25;
/** Connections of the pg-boss producer: what an application would give it, well below Postgres's limit. */
const PG_BOSS_POOL = 20;

/** What one baseline run is given. */
export interface BaselineRun {
  jobs: number;
  /** Sends in flight at once, like the tasks scenario's submitters. */
  senders: number;
  /** Where the job data lives: a Redis URL and a key prefix for BullMQ, a database for pg-boss. */
  redisUrl: string;
  redisPrefix: string;
  databaseUrl: string;
  note(message: string): void;
}

/** One baseline configuration: a row of the table. */
export type Baseline =
  | { system: 'bullmq'; concurrency: number }
  | { system: 'pg-boss'; workers: number; batchSize: number; pollingIntervalSeconds: number };

/** The table label of a baseline. */
export function baselineLabel(baseline: Baseline): string {
  return baseline.system === 'bullmq'
    ? `bullmq, 1 worker process, concurrency ${baseline.concurrency}`
    : `pg-boss 10, ${baseline.workers} workers x batch ${baseline.batchSize}, poll ${baseline.pollingIntervalSeconds}s`;
}

class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static start(): WorkerProcess {
    return new WorkerProcess(
      fork(join(here, '../workers/queue-baseline-worker.ts'), { execArgv: ['--import', 'tsx'] }),
    );
  }

  ask<T extends { kind: string }>(message: object, kind: T['kind']): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (reply: { kind: string; message?: string }) => {
        if (reply.kind === 'error') {
          this.child.off('message', listener);
          reject(new Error(`baseline worker: ${reply.message}`));
        } else if (reply.kind === kind) {
          this.child.off('message', listener);
          resolve(reply as T);
        }
      };
      this.child.on('message', listener);
      this.child.send(message);
    });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Runs `count` sends, `senders` at a time. */
async function sendAll(count: number, senders: number, send: () => Promise<unknown>) {
  let next = 0;
  const sender = async () => {
    while (next < count) {
      next++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
}

async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}

interface Producer {
  send(): Promise<unknown>;
  completed(): Promise<number>;
  close(): Promise<void>;
}

async function producerOf(baseline: Baseline, run: BaselineRun, queue: string): Promise<Producer> {
  const data = () => ({ sentAt: Date.now() });
  if (baseline.system === 'bullmq') {
    const connection = new Redis(run.redisUrl, { maxRetriesPerRequest: null });
    const bull = new Queue(queue, { connection, prefix: run.redisPrefix });
    await bull.waitUntilReady();
    return {
      // Completed jobs are kept (the default), so the queue can count them.
      send: () => bull.add('noop', data()),
      completed: async () => (await bull.getJobCounts('completed')).completed ?? 0,
      close: async () => {
        await bull.obliterate({ force: true });
        await bull.close();
        connection.disconnect();
      },
    };
  }
  // Sends beyond the pool wait for a connection, as they would in an application.
  const boss = new PgBoss({ connectionString: run.databaseUrl, max: PG_BOSS_POOL });
  await boss.start();
  await boss.createQueue(queue);
  return {
    send: () => boss.send(queue, data()),
    completed: async () => {
      const { rows } = await boss
        .getDb()
        .executeSql(
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'",
          [queue],
        );
      const [row] = rows as Array<{ n: number }>;
      return row?.n ?? 0;
    },
    close: () => boss.stop({ graceful: true, wait: true }),
  };
}

/** Runs one baseline end to end and returns its table row. */
export async function runBaseline(baseline: Baseline, run: BaselineRun): Promise<BenchRow> {
  const queue = `bench_${baseline.system.replace('-', '_')}_${Date.now()}`;
  const setup: BaselineWorkerSetup =
    baseline.system === 'bullmq'
      ? {
          system: 'bullmq',
          redisUrl: run.redisUrl,
          prefix: run.redisPrefix,
          queue,
          concurrency: baseline.concurrency,
        }
      : {
          system: 'pg-boss',
          databaseUrl: run.databaseUrl,
          queue,
          workers: baseline.workers,
          batchSize: baseline.batchSize,
          pollingIntervalSeconds: baseline.pollingIntervalSeconds,
        };
  const producer = await producerOf(baseline, run, queue);
  const worker = WorkerProcess.start();
  try {
    await worker.ask({ kind: 'setup', setup }, 'ready');
    run.note(`${baselineLabel(baseline)}: ${run.jobs} jobs`);
    const startedAt = performance.now();
    await sendAll(run.jobs, run.senders, () => producer.send());
    const sentMs = performance.now() - startedAt;
    await waitUntil(async () => (await producer.completed()) >= run.jobs);
    const elapsedMs = performance.now() - startedAt;
    const report = await worker.ask<{ kind: 'report'; handled: number; latency: string }>(
      { kind: 'report' },
      'report',
    );
    const latencyUs: Histogram = decodeFromCompressedBase64(report.latency);
    return {
      variant: baselineLabel(baseline),
      ops: run.jobs,
      elapsedMs,
      p50Ms: percentileMs(latencyUs, 50),
      p99Ms: percentileMs(latencyUs, 99),
      extra: {
        'completed/s': Math.round((run.jobs * 1000) / elapsedMs),
        'sent/s': Math.round((run.jobs * 1000) / sentMs),
        // More than `jobs` means the queue ran some twice (at-least-once redelivery).
        handled: report.handled,
      },
    };
  } finally {
    worker.kill();
    await producer.close();
  }
}
