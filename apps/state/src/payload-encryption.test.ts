import { randomBytes } from 'node:crypto';
import { connectPostgres, type Database } from '@switchboard/db';
import {
  ConfigGetRpc,
  PayloadsReencryptRpc,
  StateGetRpc,
  StatePutRpc,
  StateVersionRpc,
} from '@switchboard/protocol';
import { connectTestCache, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, failure, type StateHarness } from './test-state.ts';

let harness: StateHarness;
let database: Database;
const admin = keyPrincipal('admin', ['admin']);
const secret = 'the-plaintext-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const encryption = (activeKeyId: string, ids: (keyof typeof keys)[]) => ({
  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
  SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
    Object.fromEntries(ids.map((id) => [id, keys[id]])),
  ),
});

const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);
const get = (key: string) =>
  harness.bus.request(subject('get'), StateGetRpc, { scope: 'vault', key }, { principal: admin });
const put = (key: string, expectedVersion: number, document: unknown) =>
  harness.bus.request(
    subject('put'),
    StatePutRpc,
    { scope: 'vault', key, expectedVersion, document: document as never },
    { principal: admin },
  );
const reencrypt = (principal = admin) =>
  harness.bus.request(subject('payloads.reencrypt'), PayloadsReencryptRpc, {}, { principal });

interface RawRow {
  key: string;
  document: Buffer;
  key_id: string | null;
}
const rawDocuments = () =>
  database.sql<RawRow[]>`
    SELECT key, document, key_id FROM state.documents WHERE scope = 'vault' ORDER BY key`;
const rawHistory = () =>
  database.sql<RawRow[]>`
    SELECT key, document, key_id FROM state.document_history WHERE scope = 'vault'`;

beforeAll(async () => {
  harness = await createStateHarness();
  database = await connectPostgres(
    { url: harness.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
});
afterAll(async () => {
  await database?.close();
  await harness?.stop();
});

describe('state payload encryption', () => {
  it('stores documents and history encrypted, reads them back, detects a moved ciphertext, rotates keys', async () => {
    const first = await harness.start('state-k1', encryption('k1', ['k1']));
    const { settings } = await harness.bus.request(
      subject('config.get'),
      ConfigGetRpc,
      { key: 'payloads.encryption' },
      { principal: admin },
    );
    expect(settings.find((setting) => setting.key === 'payloads.encryption.keys')?.value).toBe(
      '***',
    );
    expect(JSON.stringify(settings)).not.toContain(keys.k1);
    await put('a', 0, { secret, n: 1 });
    await put('b', 0, { secret, n: 2 });
    await put('a', 1, { secret, n: 3 });

    for (const row of [...(await rawDocuments()), ...(await rawHistory())]) {
      expect(row.key_id).toBe('k1');
      expect(row.document.includes(Buffer.from(secret))).toBe(false);
    }
    expect((await get('a')).document).toEqual({ secret, n: 3 });
    // That read cached the document in Redis: as the codec encrypted it, never in clear.
    const cache = await connectTestCache(harness.context.namespace);
    try {
      const cached = await cache.getVersioned('state:doc:vault:a');
      expect(cached).toMatchObject({ kind: 'value', value: { version: 2, keyId: 'k1' } });
      expect(JSON.stringify(cached)).not.toContain(secret);
      expect((await get('a')).document).toEqual({ secret, n: 3 });
    } finally {
      if (harness.context.connections === undefined) await cache.close();
    }
    const kept = await harness.bus.request(
      subject('version'),
      StateVersionRpc,
      { scope: 'vault', key: 'a', version: 1 },
      { principal: admin },
    );
    expect(kept.document).toEqual({ secret, n: 1 });

    // b's row, at the same version, gets a's ciphertext: b was never read, so nothing is cached.
    await database.sql`
      UPDATE state.documents AS b SET document = a.document, nonce = a.nonce
      FROM state.document_history AS a
      WHERE b.scope = 'vault' AND b.key = 'b' AND a.scope = 'vault' AND a.key = 'a'
        AND a.version = 1`;
    const moved = await failure(get('b'));
    expect(moved.code).toBe('E_INTERNAL');

    // Rotation: k2 joins and becomes active; k1 records stay readable, new writes use k2.
    await first.stop();
    await harness.start('state-k2', encryption('k2', ['k1', 'k2']));
    expect((await get('a')).document).toEqual({ secret, n: 3 });
    await put('c', 0, { secret, n: 4 });
    const keyIds = (await rawDocuments()).map((row) => [row.key, row.key_id]);
    expect(keyIds).toEqual([
      ['a', 'k1'],
      ['b', 'k1'],
      ['c', 'k2'],
    ]);

    const observer = keyPrincipal('observer', ['observer']);
    expect((await failure(reencrypt(observer))).code).toBe('E_FORBIDDEN');
    // b's swapped row cannot be decoded: the job stops there and names it.
    const stuck = await failure(reencrypt());
    expect(stuck.code).toBe('E_INTERNAL');
    await database.sql`
      DELETE FROM state.documents WHERE scope = 'vault' AND key = 'b'`;
    const progress = await reencrypt();
    expect(progress).toMatchObject({
      service: 'state',
      activeKeyId: 'k2',
      remaining: 0,
      done: true,
    });
    expect(progress.reencrypted).toBeGreaterThan(0);
    for (const row of [...(await rawDocuments()), ...(await rawHistory())]) {
      expect(row.key_id).toBe('k2');
    }
    await expect(reencrypt()).resolves.toMatchObject({ reencrypted: 0, done: true });
    const foreign = Buffer.from(
      JSON.stringify({ service: 'router', table: 0, key: null }),
    ).toString('base64url');
    for (const cursor of ['not-a-cursor', foreign]) {
      const refused = await failure(
        harness.bus.request(
          subject('payloads.reencrypt'),
          PayloadsReencryptRpc,
          { cursor },
          { principal: admin },
        ),
      );
      expect(refused.code).toBe('E_VALIDATION');
    }
  });
});
