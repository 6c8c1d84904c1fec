import { type PayloadTable, payloadColumns, payloadRecord } from '@switchboard/db';

/** The record the arguments of an audited call are bound to. */
export function auditRecord(id: string): string {
  return payloadRecord('tools.call_audit', id, 'arguments');
}

/** The tool registry's payloads, for the re-encryption job. */
export const toolPayloadTables: readonly PayloadTable[] = [
  {
    table: 'tools.call_audit',
    key: ['id'],
    payloads: [payloadColumns('arguments', (row) => auditRecord(row.id as string))],
  },
];
