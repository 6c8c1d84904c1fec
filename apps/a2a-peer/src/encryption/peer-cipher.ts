import { Part } from '@a2a-js/sdk';
import {
  CURRENT_FORMAT_VERSION,
  createRecordCodec,
  encodePayload,
  type PayloadKeyRing,
  payloadRecord,
  type RecordCodec,
} from '@switchboard/db';
import { SbError } from '@switchboard/protocol';
import { z } from 'zod';
import { ENVELOPE_MEDIA_TYPE } from './peer-extension.ts';

// The parts of an A2A message or artifact, sealed for a peer that holds the same key: the
// payload codec's AES-256-GCM (fresh nonce, key id kept), with the record name binding the
// ciphertext to where it travels (context, task, message or artifact id).

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/** The envelope a sealed part carries as its data: never the key, only its id. */
export const EnvelopeSchema = z.strictObject({
  v: z.literal(CURRENT_FORMAT_VERSION),
  keyId: z.string().min(1).max(64),
  nonce: Base64Schema,
  ciphertext: Base64Schema,
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** What a sealed part travels with: its kind and ids the ciphertext is bound to. */
export type SealedRecord =
  | { kind: 'message'; contextId: string; taskId: string; messageId: string }
  | { kind: 'artifact'; contextId: string; taskId: string; artifactId: string };

/** The record name (associated data) of a sealed part. */
export function recordOf(record: SealedRecord): string {
  return record.kind === 'message'
    ? payloadRecord('a2a.peer.message', [record.contextId, record.taskId, record.messageId])
    : payloadRecord('a2a.peer.artifact', [record.contextId, record.taskId, record.artifactId]);
}

/** A sealed part's envelope, or undefined when the part is not one. */
export function envelopeOf(part: Part): Envelope | undefined {
  if (part.mediaType !== ENVELOPE_MEDIA_TYPE || part.content?.$case !== 'data') return undefined;
  const parsed = EnvelopeSchema.safeParse(part.content.value);
  return parsed.success ? parsed.data : undefined;
}

/** Seals and opens parts with the keys shared with peers. */
export interface PeerCipher {
  /** The ids of the keys held, the active one first. */
  readonly keyIds: readonly string[];
  /** `parts` as one data part holding the envelope, sealed with `keyId` for `record`. */
  seal(parts: readonly Part[], keyId: string, record: SealedRecord): Part;
  /**
   * The parts that sealed content (one envelope part) holds.
   * @throws SbError `E_DECRYPT_FAILED` (reported through `onDecryptFailed` first) when the
   *   content is not one envelope, its key is not held, or it does not authenticate.
   */
  open(sealed: readonly Part[], record: SealedRecord): { parts: Part[]; keyId: string };
}

/**
 * The cipher over `ring`: one record codec per key (the codec encrypts with its active key), no
 * compression (what it seals is small and already on its way). `onDecryptFailed` sees each
 * failure before it is thrown, with the record name and the key id.
 */
export function createPeerCipher(
  ring: PayloadKeyRing,
  onDecryptFailed: (failure: { record: string; keyId: string; reason: string }) => void,
): PeerCipher {
  const codecs = new Map<string, RecordCodec>();
  for (const keyId of ring.keys.keys()) {
    codecs.set(keyId, createRecordCodec({ keys: ring.keys, activeKeyId: keyId }));
  }
  const active = ring.activeKeyId;
  const keyIds = [
    ...(active === undefined ? [] : [active]),
    ...[...ring.keys.keys()].filter((keyId) => keyId !== active).sort(),
  ];

  const refuse = (name: string, keyId: string, reason: string, cause?: unknown): never => {
    onDecryptFailed({ record: name, keyId, reason });
    throw new SbError('E_DECRYPT_FAILED', `${name}: ${reason}`, {
      details: { record: name, keyId },
      cause,
    });
  };

  return {
    keyIds,
    seal(parts, keyId, record) {
      const codec = codecs.get(keyId);
      if (codec === undefined) {
        throw new SbError('E_INTERNAL', `no peer encryption key ${keyId} is loaded`);
      }
      const plain = encodePayload(parts.map((part) => Part.toJSON(part)) as never);
      const sealed = codec.encode(plain, recordOf(record));
      const envelope: Envelope = {
        v: CURRENT_FORMAT_VERSION,
        keyId,
        nonce: (sealed.nonce as Buffer).toString('base64'),
        ciphertext: sealed.bytes.toString('base64'),
      };
      return Part.fromJSON({ data: envelope, mediaType: ENVELOPE_MEDIA_TYPE });
    },
    open(sealed, record) {
      const name = recordOf(record);
      const [part] = sealed;
      const envelope = sealed.length === 1 && part !== undefined ? envelopeOf(part) : undefined;
      if (envelope === undefined) {
        return refuse(name, '', 'the encrypted content is not one Switchboard envelope part');
      }
      const codec = codecs.get(envelope.keyId);
      if (codec === undefined) {
        return refuse(name, envelope.keyId, `key ${envelope.keyId} is not held here`);
      }
      let decoded: unknown;
      try {
        decoded = codec.decode(
          {
            bytes: Buffer.from(envelope.ciphertext, 'base64'),
            codec: 'identity',
            keyId: envelope.keyId,
            nonce: Buffer.from(envelope.nonce, 'base64'),
            formatVersion: envelope.v,
          },
          name,
        );
      } catch (error) {
        return refuse(
          name,
          envelope.keyId,
          `does not decrypt with key ${envelope.keyId}: altered, sent for another message, or sealed with another key of that id`,
          error,
        );
      }
      if (!Array.isArray(decoded)) {
        return refuse(name, envelope.keyId, 'the decrypted content is not a list of parts');
      }
      return { parts: decoded.map((item) => Part.fromJSON(item)), keyId: envelope.keyId };
    },
  };
}
