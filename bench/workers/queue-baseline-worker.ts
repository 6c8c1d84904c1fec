import { Worker } from 'bullmq';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import PgBoss from 'pg-boss';

// The worker process of a queue baseline (bench/lib/queue-baselines.ts): runs no-op jobs from
// BullMQ or pg-boss the way their documentation sets a worker up, and records for each job the
// time from its submission (`sentAt` in the job's data) to the end of its handler.

/** What the parent asks this process to run. */
export type BaselineWorkerSetup =
  | { system: 'bullmq'; redisUrl: string; prefix: string; queue: string; concurrency: number }
  | {
      system: 'pg-boss';
      databaseUrl: string;
      queue: string;
      workers: number;
      batchSize: number;
      pollingIntervalSeconds: number;
    };

interface JobData {
  sentAt: number;
}

const latencyUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000 });
let handled = 0;
let stop: () => Promise<void> = async () => {};

function record(data: JobData): void {
  handled++;
  latencyUs.recordValue(Math.max(1, Math.round((Date.now() - data.sentAt) * 1000)));
}

async function start(setup: BaselineWorkerSetup): Promise<void> {
  if (setup.system === 'bullmq') {
    // BullMQ's blocking commands need their own connection without a retry cap.
    const connection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker<JobData>(setup.queue, async (job) => record(job.data), {
      connection,
      prefix: setup.prefix,
      concurrency: setup.concurrency,
    });
    await worker.waitUntilReady();
    stop = async () => {
      await worker.close();
      connection.disconnect();
    };
    return;
  }
  const boss = new PgBoss({ connectionString: setup.databaseUrl, max: setup.workers + 2 });
  boss.on('error', (error) => process.send?.({ kind: 'error', message: String(error) }));
  await boss.start();
  for (let index = 0; index < setup.workers; index++) {
    await boss.work<JobData>(
      setup.queue,
      { batchSize: setup.batchSize, pollingIntervalSeconds: setup.pollingIntervalSeconds },
      async (jobs) => {
        for (const job of jobs) record(job.data);
      },
    );
  }
  stop = () => boss.stop({ graceful: true, wait: true });
}

process.on(
  'message',
  (message: { kind: 'setup'; setup: BaselineWorkerSetup } | { kind: 'report' }) => {
    const reply = async () => {
      if (message.kind === 'setup') {
        await start(message.setup);
        return { kind: 'ready' };
      }
      await stop();
      return { kind: 'report', handled, latency: encodeIntoCompressedBase64(latencyUs) };
    };
    reply().then(
      (answer) => process.send?.(answer),
      (error: unknown) => process.send?.({ kind: 'error', message: String(error) }),
    );
  },
);
