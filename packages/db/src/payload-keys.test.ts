import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePayload, payloadRecord } from './payload-codec.ts';
import { loadPayloadKeyRing, loadRecordCodec } from './payload-keys.ts';

const folder = await mkdtemp(join(tmpdir(), 'sb-payload-keys-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');

async function keyFile(content: string) {
  const path = join(folder, `${randomBytes(4).toString('hex')}.json`);
  await writeFile(path, content);
  return path;
}

const compression = { algorithm: 'gzip' as const, thresholdBytes: 0 };
const reencrypt = { batchSize: 10, budgetMs: 100 };

describe('loadRecordCodec', () => {
  it('encrypts with the active key from config and reads a key from the key file', async () => {
    const keyFilePath = await keyFile(JSON.stringify({ k2 }));
    const codec = await loadRecordCodec({
      encryption: { activeKeyId: 'k1', keys: { k1 }, keyFile: keyFilePath },
      compression,
      reencrypt,
    });
    const record = payloadRecord('t', '1');
    expect(codec.encode(encodePayload({ a: 1 }), record).keyId).toBe('k1');
    const fromFile = await loadRecordCodec({
      encryption: { activeKeyId: 'k2', keys: {}, keyFile: keyFilePath },
      compression,
      reencrypt,
    });
    const large = { text: 'a'.repeat(1000) };
    const stored = fromFile.encode(encodePayload(large), record);
    expect(stored).toMatchObject({ keyId: 'k2', codec: 'gzip' });
    expect(codec.decode(stored, record)).toEqual(large);
  });

  it('stores plaintext when no key is active', async () => {
    const codec = await loadRecordCodec({ encryption: { keys: {} }, compression, reencrypt });
    expect(codec.activeKeyId).toBeNull();
  });
});

describe('loadPayloadKeyRing', () => {
  it('accepts the same key given in config and in the file', async () => {
    const path = await keyFile(JSON.stringify({ k1 }));
    const ring = await loadPayloadKeyRing({ keys: { k1 }, keyFile: path });
    expect([...ring.keys.keys()]).toEqual(['k1']);
  });

  it('refuses a missing, non-JSON or invalid key file and a conflicting id, never quoting a key', async () => {
    const missing = join(folder, 'missing.json');
    await expect(loadPayloadKeyRing({ keys: {}, keyFile: missing })).rejects.toThrow(
      `payloads.encryption.keyFile ${missing} cannot be read (ENOENT)`,
    );
    const notJson = await keyFile(`{"k1": "${k1}"`);
    const notJsonError = await loadPayloadKeyRing({ keys: {}, keyFile: notJson }).catch(
      (error: Error) => error,
    );
    expect(notJsonError).toMatchObject({ code: 'E_VALIDATION' });
    expect((notJsonError as Error).message).toContain('not JSON');
    expect((notJsonError as Error).message).not.toContain(k1);
    const short = await keyFile(JSON.stringify({ k1: randomBytes(16).toString('base64') }));
    await expect(loadPayloadKeyRing({ keys: {}, keyFile: short })).rejects.toThrow(
      'k1: must be 32 bytes (256 bits) as base64',
    );
    const other = await keyFile(JSON.stringify({ k1: k2 }));
    const conflict = await loadPayloadKeyRing({ keys: { k1 }, keyFile: other }).catch(
      (error: Error) => error,
    );
    expect((conflict as Error).message).toContain('payload key k1 is given twice');
    expect((conflict as Error).message).not.toContain(k2);
  });
});
