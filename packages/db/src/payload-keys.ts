import { readFile } from 'node:fs/promises';
import { PayloadKeysSchema, type PayloadSettings } from '@switchboard/config';
import { SbError } from '@switchboard/protocol';
import {
  type CompressionObserver,
  createRecordCodec,
  type PayloadKeyRing,
  type RecordCodec,
} from './payload-codec.ts';

function keyMap(keys: Record<string, string>): Map<string, Buffer> {
  return new Map(Object.entries(keys).map(([keyId, key]) => [keyId, Buffer.from(key, 'base64')]));
}

/**
 * The key ring the `payloads.encryption` settings name: `keys` plus the keys of `keyFile`. A key
 * id given in both must hold the same key. Error messages never include a key; they name the
 * settings as `setting` (another key ring of the same shape, e.g. `a2a.peerEncryption`).
 * @throws SbError `E_VALIDATION` for an unreadable or invalid key file, or a conflicting id.
 */
export async function loadPayloadKeyRing(
  encryption: PayloadSettings['encryption'],
  setting = 'payloads.encryption',
): Promise<PayloadKeyRing> {
  const keys = keyMap(encryption.keys);
  if (encryption.keyFile !== undefined) {
    const path = encryption.keyFile;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code;
      throw new SbError('E_VALIDATION', `${setting}.keyFile ${path} cannot be read (${reason})`, {
        cause: error,
      });
    }
    const invalid = (reason: string) =>
      new SbError(
        'E_VALIDATION',
        `${setting}.keyFile ${path} must be a JSON object {keyId: base64 256-bit key}: ${reason}`,
      );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A JSON syntax error quotes the text, which holds keys.
      throw invalid('not JSON');
    }
    const parsed = PayloadKeysSchema.safeParse(json);
    if (!parsed.success) {
      // The issues name key ids, never keys.
      throw invalid(
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    }
    for (const [keyId, key] of keyMap(parsed.data)) {
      const known = keys.get(keyId);
      if (known !== undefined && !known.equals(key)) {
        throw new SbError(
          'E_VALIDATION',
          `payload key ${keyId} is given twice with different keys (${setting}.keys and ${path})`,
        );
      }
      keys.set(keyId, key);
    }
  }
  return { keys, activeKeyId: encryption.activeKeyId };
}

/**
 * The record codec the `payloads` settings describe (keys loaded from config and key file);
 * `onCompressed` sees each payload it compressed.
 */
export async function loadRecordCodec(
  settings: PayloadSettings,
  onCompressed?: CompressionObserver,
): Promise<RecordCodec> {
  return createRecordCodec(
    await loadPayloadKeyRing(settings.encryption),
    settings.compression,
    onCompressed,
  );
}
