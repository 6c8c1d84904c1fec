// A load-generator process for the tasks scenario: SDK executor agents on one gateway and SDK
// submitters on the other. It submits `tasks` trivial tasks (a window of submits in flight per
// submitter) and times each from its submit to its `succeeded` change, read from the task
// worker's `<ns>.v1.evt.task.changed` events (a plain NATS subscription: no per-task watch).
import { connect as connectNats } from '@nats-io/transport-node';
import { type AgentClient, connect } from '@switchboard/sdk';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';

interface Setup {
  executorUrl: string;
  submitterUrl: string;
  apiKey: string;
  namespace: string;
  natsServers: string[];
  executors: number;
  submitters: number;
  window: number;
  tasks: number;
  timeoutMs: number;
}

const now = () => performance.timeOrigin + performance.now();

async function run(setup: Setup) {
  const clients: AgentClient[] = [];
  const open = async (url: string, id: string) => {
    const client = await connect({
      url,
      apiKey: setup.apiKey,
      agent: { id, name: id, version: '1' },
      requestTimeoutMs: 60_000,
    });
    clients.push(client);
    return client;
  };
  const submitters = [];
  for (let index = 0; index < setup.submitters; index += 1) {
    submitters.push(await open(setup.submitterUrl, `bench-submitter-${index}`));
  }
  await submitters[0]?.tasks.registerType({ name: 'bench.noop', retry: { maxAttempts: 3 } });
  for (let index = 0; index < setup.executors; index += 1) {
    const executor = await open(setup.executorUrl, `bench-executor-${index}`);
    await executor.tasks.handle('bench.noop', (input) => input, { concurrency: 512 });
  }

  const submittedAt = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  const latencyUs = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000 });
  let done: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    done = resolve;
  });
  const record = (taskId: string, at: number) => {
    const started = submittedAt.get(taskId);
    if (started === undefined) return;
    submittedAt.delete(taskId);
    latencyUs.recordValue(Math.max(1, Math.round((at - started) * 1000)));
    if (latencyUs.totalCount === setup.tasks) done();
  };
  const nc = await connectNats({ servers: setup.natsServers, noAsyncTraces: true });
  const events = nc.subscribe(`${setup.namespace}.v1.evt.task.changed`);
  void (async () => {
    for await (const message of events) {
      const at = now();
      const { changes } = message.json<{ changes: Array<{ taskId: string; status: string }> }>();
      for (const change of changes) {
        if (change.status !== 'succeeded') continue;
        // A success may be seen before its submit's reply: kept until the submit is recorded.
        if (submittedAt.has(change.taskId)) record(change.taskId, at);
        else finishedAt.set(change.taskId, at);
      }
    }
  })();
  await nc.flush();

  let next = 0;
  let errors = 0;
  const started = now();
  await Promise.all(
    submitters.flatMap((client) =>
      Array.from({ length: setup.window }, async () => {
        while (next < setup.tasks) {
          next += 1;
          const at = now();
          try {
            const { taskId } = await client.tasks.submit('bench.noop', { n: next });
            submittedAt.set(taskId, at);
            const early = finishedAt.get(taskId);
            if (early !== undefined) {
              finishedAt.delete(taskId);
              record(taskId, early);
            }
          } catch {
            errors += 1;
          }
        }
      }),
    ),
  );
  const submitted = now();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, setup.timeoutMs));
  await Promise.race([allDone, timeout]);
  const ended = now();
  process.send?.({
    kind: 'result',
    completed: latencyUs.totalCount,
    errors,
    submitMs: submitted - started,
    elapsedMs: ended - started,
    latency: encodeIntoCompressedBase64(latencyUs),
  });
  await Promise.all(clients.map((client) => client.close()));
  await nc.close();
}

process.once('message', (setup: Setup) => {
  run(setup).catch((error: unknown) => {
    process.send?.({
      kind: 'error',
      message: error instanceof Error ? error.stack : String(error),
    });
  });
});
