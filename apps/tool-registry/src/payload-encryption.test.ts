import { randomBytes } from 'node:crypto';
import { connectPostgres, type Database } from '@switchboard/db';
import { PayloadsReencryptRpc, ToolsAuditRpc } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

let mesh: ToolMesh;
let database: Database;
const secret = 'the-plaintext-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const registryEnv = (activeKeyId: string, ids: (keyof typeof keys)[]) => ({
  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
  SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
    Object.fromEntries(ids.map((id) => [id, keys[id]])),
  ),
  SB_TOOLS__AUDIT__FLUSH_INTERVAL_MS: '20',
});

const rawAudit = () =>
  database.sql<{ id: string; arguments: Buffer; key_id: string | null }[]>`
    SELECT id, arguments, key_id FROM tools.call_audit ORDER BY id`;

beforeAll(async () => {
  mesh = await createToolMesh();
  await mesh.startGateway('gw-a');
  database = await connectPostgres(
    { url: mesh.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
}, 60_000);
afterAll(async () => {
  await database?.close();
  await mesh?.stop();
});

describe('tool audit payload encryption', () => {
  it('stores audited arguments encrypted, reads them back, detects a moved ciphertext, rotates keys', async () => {
    const first = await mesh.startRegistry(registryEnv('k1', ['k1']));
    const provider = await mesh.agent('gw-a', 'e-provider');
    const caller = await mesh.agent('gw-a', 'e-caller');
    await provider.tools.provide(
      { name: 'vault.echo', version: '1.0.0', inputSchema: { type: 'object' } },
      () => ({ ok: true }),
    );
    await caller.tools.call('vault.echo', { note: secret, n: 1 });
    await caller.tools.call('vault.echo', { note: secret, n: 2 });
    await waitFor(async () => (await rawAudit()).length === 2);
    for (const row of await rawAudit()) {
      expect(row.key_id).toBe('k1');
      expect(row.arguments.includes(Buffer.from(secret))).toBe(false);
    }
    const listed = await mesh.call(ToolsAuditRpc, { name: 'vault.echo' });
    expect(listed.items.map((item) => item.arguments)).toEqual([
      { note: secret, n: 2 },
      { note: secret, n: 1 },
    ]);

    const [older, newer] = await rawAudit();
    await database.sql`
      UPDATE tools.call_audit AS target SET arguments = source.arguments, nonce = source.nonce
      FROM tools.call_audit AS source
      WHERE target.id = ${newer?.id as string} AND source.id = ${older?.id as string}`;
    await expect(mesh.call(ToolsAuditRpc, { name: 'vault.echo' })).rejects.toMatchObject({
      code: 'E_INTERNAL',
    });
    await database.sql`DELETE FROM tools.call_audit WHERE id = ${newer?.id as string}`;

    await first.stop();
    await mesh.startRegistry(registryEnv('k2', ['k1', 'k2']));
    expect(await mesh.call(PayloadsReencryptRpc, {})).toEqual({
      service: 'tools',
      activeKeyId: 'k2',
      reencrypted: 1,
      remaining: 0,
      done: true,
    });
    expect((await rawAudit()).map((row) => row.key_id)).toEqual(['k2']);
    expect(
      (await mesh.call(ToolsAuditRpc, { name: 'vault.echo' })).items.map((item) => item.arguments),
    ).toEqual([{ note: secret, n: 1 }]);
  });
});
