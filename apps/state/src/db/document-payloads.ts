import { type PayloadTable, payloadColumns, payloadRecord } from '@switchboard/db';

/**
 * The record a document's ciphertext is bound to: its scope, key and version. The history row of
 * a version holds the same bytes as the current row did, so both name the same record.
 */
export function documentRecord(scope: string, key: string, version: number | string): string {
  return payloadRecord('state.documents', [scope, key, Number(version)]);
}

/** The state tables' payloads, for the re-encryption job. */
export const statePayloadTables: readonly PayloadTable[] = [
  {
    table: 'state.documents',
    key: ['scope', 'key'],
    payloads: [
      {
        ...payloadColumns('document', (row) =>
          documentRecord(row.scope as string, row.key as string, row.version as string),
        ),
        reads: ['version'],
      },
    ],
  },
  {
    table: 'state.document_history',
    key: ['scope', 'key', 'version'],
    payloads: [
      payloadColumns('document', (row) =>
        documentRecord(row.scope as string, row.key as string, row.version as string),
      ),
    ],
  },
];
