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
export function storedPayloadOf(row: object, name: string): StoredPayload {
  const fields = row as Record<string, unknown>;
  return {
    bytes: fields[name] as Buffer,
    codec: fields[`${name}_codec`] as string,
    keyId: fields[`${name}_key_id`] as string | null,
    nonce: fields[`${name}_nonce`] as Buffer | null,
    formatVersion: fields[`${name}_format_version`] as number,
  };
}
