import { connectPostgres } from '@switchboard/db';
import { SbError, StateHistoryRpc, StatePutRpc, StateVersionRpc } from '@switchboard/protocol';
import { keyPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, type StateHarness } from './test-state.ts';

let harness: StateHarness;
const admin = keyPrincipal('admin', ['admin']);
const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);

beforeAll(async () => {
  harness = await createStateHarness();
  const env = {
    SB_STATE__HISTORY__KEEP_VERSIONS: '3',
    SB_STATE__HISTORY__SWEEP_INTERVAL_MS: '20',
    SB_STATE__HISTORY__SWEEP_BATCH_SIZE: '2',
  };
  // Two replicas sweep under one advisory lock.
  await harness.start('state-a', env);
  await harness.start('state-b', env);
});
afterAll(async () => {
  await harness?.stop();
});

describe('history retention', () => {
  it('keeps the last versions of each key, and the past ones it keeps stay readable', async () => {
    for (let version = 0; version < 8; version += 1) {
      await harness.bus.request(
        subject('put'),
        StatePutRpc,
        { scope: 'kept.one', key: 'doc', expectedVersion: version, document: { n: version + 1 } },
        { principal: admin },
      );
    }
    const versions = async () =>
      (
        await harness.bus.request(
          subject('history'),
          StateHistoryRpc,
          { scope: 'kept.one', key: 'doc', limit: 100 },
          { principal: admin },
        )
      ).items.map((item) => item.version);
    await waitFor(async () => (await versions()).length === 3, { what: 'history trimmed to 3' });
    expect(await versions()).toEqual([8, 7, 6]);
    const past = await harness.bus.request(
      subject('version'),
      StateVersionRpc,
      { scope: 'kept.one', key: 'doc', version: 6 },
      { principal: admin },
    );
    expect(past.document).toEqual({ n: 6 });
    await expect(
      harness.bus.request(
        subject('version'),
        StateVersionRpc,
        { scope: 'kept.one', key: 'doc', version: 2 },
        { principal: admin },
      ),
    ).rejects.toSatisfy((error) => error instanceof SbError && error.code === 'E_NOT_FOUND');
  });

  it('drops versions older than keepDays, but never the current one', async () => {
    for (let version = 0; version < 3; version += 1) {
      await harness.bus.request(
        subject('put'),
        StatePutRpc,
        { scope: 'aged.one', key: 'doc', expectedVersion: version, document: { n: version + 1 } },
        { principal: admin },
      );
    }
    const database = await connectPostgres(
      { url: harness.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
      'test',
    );
    try {
      await database.sql`
        UPDATE state.document_history SET at = now() - interval '40 days'
        WHERE scope = 'aged.one'`;
      await waitFor(
        async () => {
          const rows = await database.sql<{ version: string }[]>`
            SELECT version FROM state.document_history WHERE scope = 'aged.one'`;
          return rows.length === 1 ? rows : undefined;
        },
        { what: 'aged versions swept' },
      ).then((rows) => expect(rows.map((row) => Number(row.version))).toEqual([3]));
    } finally {
      await database.close();
    }
  });
});
