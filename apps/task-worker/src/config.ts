import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings, sweepSettings } from '@switchboard/service';
import { z } from 'zod';

const DAY_MS = 86_400_000;

const ms = (min: number, max: number, fallback: number, description: string) =>
  z.int().min(min).max(max).default(fallback).describe(description);

const count = (max: number, fallback: number, description: string) =>
  z.int().min(1).max(max).default(fallback).describe(description);

/** The task worker's settings: the shared sections plus its own under `tasks` (`SB_TASKS__*`). */
export const tasksConfig = defineServiceConfig({
  service: 'tasks',
  section: z.strictObject({
    ...listenSettings('tasks'),
    maxPayloadBytes: z
      .int()
      .min(2)
      .max(900 * 1024)
      .default(512 * 1024)
      .describe('Largest task input, result or progress, serialized as UTF-8 JSON, in bytes'),
    leaseMs: ms(
      10,
      DAY_MS,
      30_000,
      'How long an executor holds a task without a heartbeat before it is taken back, in ms',
    ),
    sweepIntervalMs: ms(
      10,
      3_600_000,
      1000,
      'How often a replica takes back expired leases, ends timed-out attempts and wakes due tasks, in ms',
    ),
    defaultTimeoutMs: ms(
      1,
      7 * DAY_MS,
      300_000,
      'Timeout of one attempt for a type registered without one, in ms',
    ),
    defaultMaxAttempts: count(
      100,
      3,
      'Attempts in all for a type registered without a retry policy',
    ),
    backoffBaseMs: ms(
      0,
      DAY_MS,
      1000,
      'First retry delay for a type registered without a retry policy; doubles per attempt, in ms',
    ),
    backoffMaxMs: ms(
      0,
      DAY_MS,
      60_000,
      'Longest retry delay for a type registered without a retry policy, in ms',
    ),
    statsRefreshMs: ms(
      10,
      3_600_000,
      5000,
      'How often a replica counts the tasks by status for its stats and the depth gauges, in ms',
    ),
    executorCacheMs: ms(
      1,
      3_600_000,
      1000,
      'How long a replica reuses its list of declared executors before reading it again, in ms',
    ),
    submitBatch: count(10_000, 1000, 'Tasks written to Postgres in one transaction at most'),
    claimBatch: count(10_000, 500, 'Tasks one dispatch round claims at most'),
    completeBatch: count(
      10_000,
      1000,
      'Completions written to Postgres in one transaction at most',
    ),
    sweepBatch: count(100_000, 1000, 'Expired leases or due tasks one sweep handles at most'),
    retention: z
      .strictObject({
        finishedMs: ms(
          1,
          3650 * DAY_MS,
          7 * DAY_MS,
          'How long a final task (succeeded, failed, cancelled, timed out) is kept with its history after it ended, in ms',
        ),
        ...sweepSettings({
          interval: 'How often a replica deletes the final tasks retention lets go, in ms',
          batch:
            'Final tasks one retention statement deletes at most (their transitions go with them)',
        }),
      })
      .prefault({}),
  }),
  live: [
    'tasks.leaseMs',
    'tasks.defaultTimeoutMs',
    'tasks.backoffBaseMs',
    'tasks.backoffMaxMs',
    'tasks.claimBatch',
    'tasks.statsRefreshMs',
  ],
});

/** The task worker's validated configuration. */
export type TasksConfig = ConfigOf<typeof tasksConfig>;

/** The tasks section of the configuration. */
export type TasksSettings = TasksConfig['tasks'];
