import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PAYLOAD_KEY_BYTES } from '@switchboard/config';
import { type JsonValue, type PayloadCodec, PayloadCodecs, SbError } from '@switchboard/protocol';
import {
  type CompressionSettings,
  compressPayload,
  decompressPayload,
} from './payload-compression.ts';

// One codec for every user payload a service stores (DESIGN.md, Payloads): state documents,
// router messages and dead letters, task input and results, tool audit arguments.

/** The serialization version new payloads are written with (1: UTF-8 JSON). */
export const CURRENT_FORMAT_VERSION = 1;

/** A payload as stored: bytes plus how to read them back. */
export interface StoredPayload {
  bytes: Buffer;
  codec: string;
  /** The key that encrypted `bytes`; null for plaintext. */
  keyId: string | null;
  /** The AES-GCM nonce of an encrypted record. */
  nonce: Buffer | null;
  formatVersion: number;
}

/** A payload as a write stores it, column for column. */
export interface EncodedPayload extends StoredPayload {
  codec: PayloadCodec;
}

/** The keys a codec encrypts and decrypts with. */
export interface PayloadKeyRing {
  /** Key id → 32-byte AES-256 key. */
  keys: ReadonlyMap<string, Buffer>;
  /** The key new records are encrypted with; undefined stores plaintext. */
  activeKeyId?: string | undefined;
}

/** Encodes and decodes the payloads of one service's records. */
export interface RecordCodec {
  /** The key new records get (null: plaintext). */
  readonly activeKeyId: string | null;
  /**
   * Encodes serialized payload bytes (see {@link encodePayload}) for the record named `record`
   * (see {@link payloadRecord}): compressed above the threshold, then encrypted with the active
   * key, the record's name as associated data.
   */
  encode(plain: Buffer, record: string): EncodedPayload;
  /**
   * Reads a stored payload of the record named `record` back.
   * @throws SbError `E_INTERNAL` naming the record (and key) when its key is not loaded, the
   *   ciphertext does not authenticate (tampered, moved from another record, wrong key), or the
   *   codec or format is unknown.
   */
  decode(stored: StoredPayload, record: string): JsonValue;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The name of a record's payload that its ciphertext is bound to: `<table>:<id>` or
 * `<table>:<id>:<column>`; a composite id is given as a list (JSON-encoded, so no two lists
 * give one name).
 */
export function payloadRecord(
  table: string,
  id: string | readonly (string | number)[],
  column?: string,
): string {
  const name = `${table}:${typeof id === 'string' ? id : JSON.stringify(id)}`;
  return column === undefined ? name : `${name}:${column}`;
}

/** Serializes a payload as the identity codec does: UTF-8 JSON bytes. */
export function encodePayload(payload: JsonValue): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

function isCodec(codec: string): codec is PayloadCodec {
  return (PayloadCodecs as readonly string[]).includes(codec);
}

// The codec and format columns are bound too: flipping them in the row fails authentication
// instead of feeding the wrong decoder.
function associatedData(record: string, codec: string, formatVersion: number): Buffer {
  return Buffer.from(`sb.payload|${record}|${codec}|${formatVersion}`, 'utf8');
}

/** Sees the size of each payload the codec compressed, before and after (for metrics). */
export type CompressionObserver = (originalBytes: number, compressedBytes: number) => void;

/**
 * A codec over a key ring and compression settings (both fixed for its lifetime); `onCompressed`
 * sees each payload it compressed.
 * @throws SbError `E_VALIDATION` when the active key is not in the ring or a key is not 32 bytes.
 */
export function createRecordCodec(
  ring: PayloadKeyRing = { keys: new Map() },
  compression: CompressionSettings = { algorithm: 'none', thresholdBytes: 0 },
  onCompressed?: CompressionObserver,
): RecordCodec {
  for (const [keyId, key] of ring.keys) {
    if (key.length !== PAYLOAD_KEY_BYTES) {
      throw new SbError(
        'E_VALIDATION',
        `payload key ${keyId} is ${key.length} bytes, not ${PAYLOAD_KEY_BYTES}`,
      );
    }
  }
  const activeKeyId = ring.activeKeyId ?? null;
  const activeKey = activeKeyId === null ? undefined : ring.keys.get(activeKeyId);
  if (activeKeyId !== null && activeKey === undefined) {
    throw new SbError(
      'E_VALIDATION',
      `payloads.encryption.activeKeyId is ${activeKeyId}, but no key with that id is loaded: add it to payloads.encryption.keys or the key file`,
    );
  }

  const encrypt = (bytes: Buffer, key: Buffer, aad: Buffer) => {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
    const sealed = Buffer.concat([cipher.update(bytes), cipher.final(), cipher.getAuthTag()]);
    return { sealed, nonce };
  };

  const decrypt = (stored: StoredPayload, keyId: string, record: string): Buffer => {
    const key = ring.keys.get(keyId);
    if (key === undefined) {
      throw new SbError(
        'E_INTERNAL',
        `${record} is encrypted with payload key ${keyId}, which is not loaded: add it to payloads.encryption.keys or the key file`,
        { details: { record, keyId } },
      );
    }
    const { bytes, nonce } = stored;
    try {
      if (nonce === null || nonce.length !== NONCE_BYTES || bytes.length < TAG_BYTES) {
        throw new Error('no nonce or no tag');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, nonce)
        .setAAD(associatedData(record, stored.codec, stored.formatVersion))
        .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new SbError(
        'E_INTERNAL',
        `${record} does not decrypt with payload key ${keyId}: the record was altered, copied from another record, or encrypted with another key of that id`,
        { details: { record, keyId }, cause: error },
      );
    }
  };

  return {
    activeKeyId,
    encode(plain, record) {
      const { bytes, codec } = compressPayload(plain, compression);
      if (codec !== 'identity') onCompressed?.(plain.length, bytes.length);
      if (activeKey === undefined || activeKeyId === null) {
        return { bytes, codec, keyId: null, nonce: null, formatVersion: CURRENT_FORMAT_VERSION };
      }
      const aad = associatedData(record, codec, CURRENT_FORMAT_VERSION);
      const { sealed, nonce } = encrypt(bytes, activeKey, aad);
      return {
        bytes: sealed,
        codec,
        keyId: activeKeyId,
        nonce,
        formatVersion: CURRENT_FORMAT_VERSION,
      };
    },
    decode(stored, record) {
      if (!isCodec(stored.codec)) {
        throw new SbError('E_INTERNAL', `${record} has unknown codec ${stored.codec}`);
      }
      if (stored.formatVersion !== CURRENT_FORMAT_VERSION) {
        throw new SbError(
          'E_INTERNAL',
          `${record} has unknown format version ${stored.formatVersion}`,
        );
      }
      const compressed =
        stored.keyId === null ? stored.bytes : decrypt(stored, stored.keyId, record);
      let plain: Buffer;
      try {
        plain = decompressPayload(compressed, stored.codec);
      } catch (error) {
        throw new SbError('E_INTERNAL', `${record} is not valid ${stored.codec} data`, {
          cause: error,
        });
      }
      try {
        return JSON.parse(plain.toString('utf8')) as JsonValue;
      } catch (error) {
        throw new SbError('E_INTERNAL', `${record} is not JSON`, { cause: error });
      }
    },
  };
}
