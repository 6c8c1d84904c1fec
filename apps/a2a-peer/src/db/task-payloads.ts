import { type PayloadTable, payloadRecord, prefixedPayloadColumns } from '@switchboard/db';

// The records the A2A peer's payloads are bound to (their AAD when encrypted): the store seals
// and opens them under these names, and the re-encryption job must name them the same way.

/** The record of a task (its A2A Task JSON). */
export const taskRecord = (taskId: string): string => payloadRecord('a2a.tasks', taskId);

/** The record of one stored stream response of a task, by its `seq`. */
export const taskEventRecord = (seq: string | number): string =>
  payloadRecord('a2a.task_events', String(seq));

/** The record of a push notification config (URL, token, credentials). */
export const pushConfigRecord = (taskId: string, configId: string): string =>
  payloadRecord('a2a.push_configs', [taskId, configId]);

/** The record of a queued push notification, by its queue id. */
export const pushQueueRecord = (id: string | number): string =>
  payloadRecord('a2a.push_queue', String(id));

/** The A2A peer's payloads, for the re-encryption job. */
export const a2aPayloadTables: readonly PayloadTable[] = [
  {
    table: 'a2a.tasks',
    key: ['id'],
    payloads: [prefixedPayloadColumns('record', (row) => taskRecord(row.id as string))],
  },
  {
    table: 'a2a.task_events',
    key: ['seq'],
    payloads: [prefixedPayloadColumns('event', (row) => taskEventRecord(row.seq as string))],
  },
  {
    table: 'a2a.push_configs',
    key: ['task_id', 'id'],
    payloads: [
      prefixedPayloadColumns('config', (row) =>
        pushConfigRecord(row.task_id as string, row.id as string),
      ),
    ],
  },
  {
    table: 'a2a.push_queue',
    key: ['id'],
    payloads: [prefixedPayloadColumns('event', (row) => pushQueueRecord(row.id as string))],
  },
];

/** The record of a registered peer's card or bearer token. */
export const peerRecord = (name: string, column: 'card' | 'token'): string =>
  payloadRecord('a2a.peers', name, column);

/** The record of what an agent sent to a remote agent, or of the remote task as last seen. */
export const remoteTaskRecord = (id: string, column: 'request' | 'snapshot'): string =>
  payloadRecord('a2a.remote_tasks', id, column);

/** The outbound half's payloads, for the re-encryption job. */
export const peerPayloadTables: readonly PayloadTable[] = [
  {
    table: 'a2a.peers',
    key: ['name'],
    payloads: (['card', 'token'] as const).map((column) =>
      prefixedPayloadColumns(column, (row) => peerRecord(row.name as string, column)),
    ),
  },
  {
    table: 'a2a.remote_tasks',
    key: ['id'],
    payloads: (['request', 'snapshot'] as const).map((column) =>
      prefixedPayloadColumns(column, (row) => remoteTaskRecord(row.id as string, column)),
    ),
  },
];
