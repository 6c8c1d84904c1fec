import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type PayloadCodec, PayloadCodecs, SbError } from '@switchboard/protocol';
import type { JsonValue } from './merge-patch.ts';

/** The serialization version new documents are written with. */
export const CURRENT_FORMAT_VERSION = 1;

/** A document as stored: bytes plus how to read them back. */
export interface StoredDocument {
  bytes: Buffer;
  codec: string;
  keyId: string | null;
  formatVersion: number;
}

/** Serializes a document as the identity codec does: UTF-8 JSON bytes. */
export function encodeDocument(document: JsonValue): Buffer {
  return Buffer.from(JSON.stringify(document), 'utf8');
}

function isCodec(codec: string): codec is PayloadCodec {
  return (PayloadCodecs as readonly string[]).includes(codec);
}

/**
 * Reads a stored document back, whatever codec it was stored with. Format 1 is JSON; a later
 * format adds a case here, so older rows keep loading.
 * @throws SbError `E_INTERNAL` for an encrypted row (no key ring yet), an unknown codec or format.
 */
export function decodeDocument(stored: StoredDocument): JsonValue {
  if (stored.keyId !== null) {
    throw new SbError('E_INTERNAL', `document is encrypted with key ${stored.keyId}, not loaded`);
  }
  if (!isCodec(stored.codec)) {
    throw new SbError('E_INTERNAL', `document has unknown codec ${stored.codec}`);
  }
  const plain =
    stored.codec === 'gzip'
      ? gunzipSync(stored.bytes)
      : stored.codec === 'br'
        ? brotliDecompressSync(stored.bytes)
        : stored.bytes;
  if (stored.formatVersion !== CURRENT_FORMAT_VERSION) {
    throw new SbError('E_INTERNAL', `document has unknown format version ${stored.formatVersion}`);
  }
  return JSON.parse(plain.toString('utf8')) as JsonValue;
}
