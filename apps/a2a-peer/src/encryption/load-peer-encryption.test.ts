import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message } from '@a2a-js/sdk';
import type { SecurityReport } from '@switchboard/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPeerEncryption } from './load-peer-encryption.ts';
import { sealMessage } from './sealing.ts';

let folder: string;
const key = () => randomBytes(32).toString('base64');

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'peer-keys-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('loadPeerEncryption', () => {
  it('loads keys from the setting and the key file, the active one first', async () => {
    const file = join(folder, 'keys.json');
    await writeFile(file, JSON.stringify({ k2: key() }));
    const loaded = await loadPeerEncryption(
      { mode: 'require', keys: { k1: key() }, keyFile: file, activeKeyId: 'k2' },
      { report: () => undefined },
    );
    expect(loaded.mode).toBe('require');
    expect(loaded.cipher.keyIds).toEqual(['k2', 'k1']);
  });

  it('reports content that does not open as a decrypt_failed event, never the key', async () => {
    const reports: SecurityReport[] = [];
    const secret = key();
    const loaded = await loadPeerEncryption(
      { mode: 'prefer', keys: { k1: secret } },
      { report: (event) => reports.push(event) },
    );
    const other = await loadPeerEncryption(
      { mode: 'prefer', keys: { k1: key() } },
      { report: () => undefined },
    );
    const message = Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'x' }] });
    const sealed = sealMessage(other.cipher, message, 'k1');
    expect(() =>
      loaded.cipher.open(sealed.parts, {
        kind: 'message',
        contextId: '',
        taskId: '',
        messageId: 'm',
      }),
    ).toThrow(expect.objectContaining({ code: 'E_DECRYPT_FAILED' }));
    expect(reports).toEqual([
      {
        kind: 'decrypt_failed',
        path: 'a2a',
        code: 'E_DECRYPT_FAILED',
        detail: expect.stringContaining('does not decrypt with key k1'),
        facts: { record: 'a2a.peer.message:["","","m"]', keyId: 'k1' },
      },
    ]);
    expect(JSON.stringify(reports)).not.toContain(secret);
  });

  it('refuses an active key id that names no key, and mode require without keys', async () => {
    const security = { report: () => undefined };
    await expect(
      loadPeerEncryption({ mode: 'prefer', keys: { k1: key() }, activeKeyId: 'k9' }, security),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringContaining('a2a.peerEncryption.activeKeyId is k9'),
    });
    await expect(loadPeerEncryption({ mode: 'require', keys: {} }, security)).rejects.toMatchObject(
      {
        code: 'E_VALIDATION',
        message: expect.stringContaining(
          'a2a.peerEncryption.mode is require, but no key is loaded',
        ),
      },
    );
  });

  it('names its own setting when the key file cannot be read', async () => {
    await expect(
      loadPeerEncryption(
        { mode: 'prefer', keys: {}, keyFile: join(folder, 'missing.json') },
        { report: () => undefined },
      ),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringContaining('a2a.peerEncryption.keyFile'),
    });
  });
});
