import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type JsonValue, type PayloadCodec, PayloadCodecs, SbError } from '@switchboard/protocol';

// One codec for every user payload a service stores (DESIGN.md, Payloads): state documents,
// router messages and dead letters, task input and results, ...

/** The serialization version new payloads are written with. */
export const CURRENT_FORMAT_VERSION = 1;

/** A payload as stored: bytes plus how to read them back. */
export interface StoredPayload {
  bytes: Buffer;
  codec: string;
  keyId: string | null;
  formatVersion: number;
}

/** Serializes a payload as the identity codec does: UTF-8 JSON bytes. */
export function encodePayload(payload: JsonValue): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

function isCodec(codec: string): codec is PayloadCodec {
  return (PayloadCodecs as readonly string[]).includes(codec);
}

/**
 * Reads a stored payload back, whatever codec it was stored with. Format 1 is JSON; a later
 * format adds a case here, so older rows keep loading.
 * @throws SbError `E_INTERNAL` for an encrypted row (no key ring yet), an unknown codec or format.
 */
export function decodePayload(stored: StoredPayload, what = 'payload'): JsonValue {
  if (stored.keyId !== null) {
    throw new SbError('E_INTERNAL', `${what} is encrypted with key ${stored.keyId}, not loaded`);
  }
  if (!isCodec(stored.codec)) {
    throw new SbError('E_INTERNAL', `${what} has unknown codec ${stored.codec}`);
  }
  const plain =
    stored.codec === 'gzip'
      ? gunzipSync(stored.bytes)
      : stored.codec === 'br'
        ? brotliDecompressSync(stored.bytes)
        : stored.bytes;
  if (stored.formatVersion !== CURRENT_FORMAT_VERSION) {
    throw new SbError('E_INTERNAL', `${what} has unknown format version ${stored.formatVersion}`);
  }
  return JSON.parse(plain.toString('utf8')) as JsonValue;
}
