import type { RetentionAllowance } from '../invariants.ts';

// What a soak changes about the mesh: every retention job runs short and often, so that within
// ten minutes the tables it trims reach the size where deleting keeps up with writing, and the
// soak can tell a table that stays flat from one that grows.

/** How long the retained rows live during a soak. */
export const SOAK_RETENTION_MS = 60_000;
const SWEEP_MS = '5000';

/** Service settings of a soak: retention of one minute, swept every five seconds. */
export const SOAK_RETENTION_ENV: Record<string, string> = {
  // Router history: delivered messages (and their deliveries, by cascade). Dead letters keep
  // their default: one swept before its message (a broadcast still moving keeps the message)
  // would leave a dead delivery without its cause, which the checker rightly refuses.
  SB_ROUTER__RETENTION__MESSAGES_MS: String(SOAK_RETENTION_MS),
  SB_ROUTER__RETENTION__SWEEP_INTERVAL_MS: SWEEP_MS,
  SB_ROUTER__RETENTION__SWEEP_BATCH_SIZE: '20000',
  // State history: the last 200 versions of each key (the hot keys take thousands of writes).
  SB_STATE__HISTORY__KEEP_VERSIONS: '200',
  SB_STATE__HISTORY__SWEEP_INTERVAL_MS: SWEEP_MS,
  SB_STATE__HISTORY__SWEEP_BATCH_SIZE: '20000',
  // Tool call audit.
  SB_TOOLS__AUDIT__RETENTION_MS: String(SOAK_RETENTION_MS),
  SB_TOOLS__AUDIT__SWEEP_INTERVAL_MS: SWEEP_MS,
  // Security events (a soak has few: rate limits are lifted); its shortest retention is 1 min.
  SB_GATEWAY__SECURITY__RETENTION_MS: String(SOAK_RETENTION_MS),
  SB_GATEWAY__SECURITY__SWEEP_INTERVAL_MS: SWEEP_MS,
  // A2A tasks served for local agents, once ended, with their events, received message ids and
  // push configs; and the remote tasks the peer drove for local agents, once ended.
  SB_A2A__RETENTION__FINISHED_MS: String(SOAK_RETENTION_MS),
  SB_A2A__RETENTION__REMOTE_FINISHED_MS: String(SOAK_RETENTION_MS),
  SB_A2A__RETENTION__SWEEP_INTERVAL_MS: SWEEP_MS,
  SB_A2A__RETENTION__SWEEP_BATCH_SIZE: '20000',
  // Tasks of the task worker, once final, with their transitions (by cascade).
  SB_TASKS__RETENTION__FINISHED_MS: String(SOAK_RETENTION_MS),
  SB_TASKS__RETENTION__SWEEP_INTERVAL_MS: SWEEP_MS,
  SB_TASKS__RETENTION__SWEEP_BATCH_SIZE: '20000',
};

/**
 * The tables a retention job trims, judged against the table bound. Every other table either
 * holds a bounded catalog (agents, keys, tools, peers, ...) or has no retention short in a soak:
 * the report shows their growth without judging it.
 */
export const RETAINED_TABLES: ReadonlySet<string> = new Set([
  'router.messages',
  'router.deliveries',
  'router.dead_letters',
  'state.document_history',
  'tools.call_audit',
  'gateway.security_events',
  'a2a.tasks',
  'a2a.task_events',
  'a2a.received_messages',
  'a2a.push_configs',
  'a2a.remote_tasks',
  'tasks.tasks',
  'tasks.transitions',
]);

/**
 * What retention may have removed when the checker read at `readAtMs`: messages, tasks and
 * remote A2A tasks made more than the retention before it, and state versions beyond the kept
 * ones.
 */
export function soakAllowance(readAtMs: number): RetentionAllowance {
  return { retiredBeforeMs: readAtMs - SOAK_RETENTION_MS, stateHistoryTrimmed: true };
}

/**
 * Storage settings of the retained tables in the run's own database: vacuum after every 1,000
 * dead rows rather than 20% of the table, unthrottled, as an operator sets them for tables with
 * short retention. With the defaults, a table that turns over every minute grows on disk for
 * longer than a soak lasts before vacuum reclaims its space (the live rows stay flat).
 */
export const RETAINED_TABLE_STORAGE =
  'autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0';
