// A test fixture run as its own process: an SDK agent that executes one task type, taking
// `SB_TEST_HANDLER_MS` per task, and prints `started <taskId> <attempt>` as each task starts, so a
// test can SIGKILL it mid-task.
import { connect } from '@switchboard/sdk';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const client = await connect({
  url: env('SB_TEST_URL'),
  apiKey: env('SB_TEST_API_KEY'),
  agent: { id: env('SB_TEST_AGENT_ID'), name: 'test executor', version: '1.0.0' },
});
const handlerMs = Number(env('SB_TEST_HANDLER_MS'));
await client.tasks.handle(
  env('SB_TEST_TASK_TYPE'),
  async (input, context) => {
    process.stdout.write(`started ${context.taskId} ${context.attempt}\n`);
    await new Promise((resolve) => setTimeout(resolve, handlerMs));
    return input;
  },
  { concurrency: 8 },
);
process.stdout.write('ready\n');
