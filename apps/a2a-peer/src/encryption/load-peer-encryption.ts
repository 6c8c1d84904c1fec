import { loadPayloadKeyRing } from '@switchboard/db';
import { SbError } from '@switchboard/protocol';
import type { SecurityEvents } from '@switchboard/service';
import type { A2aConfig } from '../config.ts';
import type { PeerEncryption } from './inbound.ts';
import { createPeerCipher } from './peer-cipher.ts';

const SETTING = 'a2a.peerEncryption';

/**
 * The peer encryption `a2a.peerEncryption` describes: its keys loaded like the payload keys
 * (`keys` plus `keyFile`), every content that does not open reported as a `decrypt_failed`
 * security event. Messages name settings and key ids, never keys.
 * @throws SbError `E_VALIDATION` for an active key id that names no loaded key, mode `require`
 *   without keys, or an unreadable or invalid key file.
 */
export async function loadPeerEncryption(
  settings: A2aConfig['a2a']['peerEncryption'],
  security: SecurityEvents,
): Promise<PeerEncryption> {
  const ring = await loadPayloadKeyRing(
    { keys: settings.keys, keyFile: settings.keyFile, activeKeyId: settings.activeKeyId },
    SETTING,
  );
  if (settings.activeKeyId !== undefined && !ring.keys.has(settings.activeKeyId)) {
    throw new SbError(
      'E_VALIDATION',
      `${SETTING}.activeKeyId is ${settings.activeKeyId}, but no key with that id is loaded: add it to ${SETTING}.keys or the key file`,
    );
  }
  if (settings.mode === 'require' && ring.keys.size === 0) {
    throw new SbError(
      'E_VALIDATION',
      `${SETTING}.mode is require, but no key is loaded: add one to ${SETTING}.keys or the key file`,
    );
  }
  const cipher = createPeerCipher(ring, ({ record, keyId, reason }) =>
    security.report({
      kind: 'decrypt_failed',
      path: 'a2a',
      code: 'E_DECRYPT_FAILED',
      detail: `encrypted A2A content ${reason}`,
      facts: { record, keyId },
    }),
  );
  return { mode: settings.mode, cipher };
}
