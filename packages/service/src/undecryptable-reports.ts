import type { RecordCodec } from '@switchboard/db';
import { isSbError, type SbError } from '@switchboard/protocol';
import type { SecurityEvents } from './security-events.ts';

// Errors reported already, so that the same failure reaching an RPC reply is not reported twice.
const reported = new WeakSet<SbError>();

/**
 * A record of the payload codec that did not decrypt (or whose key is not loaded): the codec
 * fails with `E_INTERNAL` naming the record and the key id in its details, and nothing else does.
 */
export function isDecryptFailure(error: {
  code: string;
  details?: Record<string, unknown> | undefined;
}): boolean {
  return (
    error.code === 'E_INTERNAL' &&
    typeof error.details?.record === 'string' &&
    typeof error.details.keyId === 'string'
  );
}

/** True when {@link reportUndecryptable} reported this error already. */
export function wasReported(error: SbError): boolean {
  return reported.has(error);
}

/** Reports a decrypt failure as a `decrypt_failed` event naming the record and key id. */
export function reportDecryptFailure(
  security: SecurityEvents,
  error: { code: string; message: string; details?: Record<string, unknown> | undefined },
  path?: string,
): void {
  const { record, keyId } = error.details as { record: string; keyId: string };
  security.report({
    kind: 'decrypt_failed',
    ...(path === undefined ? {} : { path }),
    code: error.code,
    detail: error.message,
    facts: { record, keyId },
  });
}

/**
 * The service's record codec, reporting every stored payload that does not decrypt as a
 * `decrypt_failed` security event wherever it is read (a request, a dispatch loop, a sweep),
 * then failing as the codec does.
 */
export function reportUndecryptable(codec: RecordCodec, security: SecurityEvents): RecordCodec {
  return {
    get activeKeyId() {
      return codec.activeKeyId;
    },
    encode: (plain, record) => codec.encode(plain, record),
    decode: (stored, record) => {
      try {
        return codec.decode(stored, record);
      } catch (error) {
        if (isSbError(error) && isDecryptFailure(error) && !reported.has(error)) {
          reported.add(error);
          reportDecryptFailure(security, error);
        }
        throw error;
      }
    },
  };
}
