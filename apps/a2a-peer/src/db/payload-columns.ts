import type { EncodedPayload, StoredPayload } from '@switchboard/db';

/** The payload columns of `name` (bytes, codec, key id, nonce, format) for a row write. */
export function payloadColumnsOf(name: string, stored: EncodedPayload): Record<string, unknown> {
  return {
    [name]: stored.bytes,
    [`${name}_codec`]: stored.codec,
    [`${name}_key_id`]: stored.keyId,
    [`${name}_nonce`]: stored.nonce,
    [`${name}_format_version`]: stored.formatVersion,
  };
}

/** The stored payload in the columns of `name` of a row read with `SELECT *`. */
export function storedPayloadOf(row: Record<string, unknown>, name: string): StoredPayload {
  return {
    bytes: row[name] as Buffer,
    codec: row[`${name}_codec`] as string,
    keyId: row[`${name}_key_id`] as string | null,
    nonce: row[`${name}_nonce`] as Buffer | null,
    formatVersion: row[`${name}_format_version`] as number,
  };
}
