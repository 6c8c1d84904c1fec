import { encodePayload } from '@switchboard/db';
import { SbError } from '@switchboard/protocol';
import type { ConflictPolicy } from '../config.ts';
import { canMergePatch } from './conflicts.ts';
import { applyMergePatch, type JsonValue } from './merge-patch.ts';

/** A write as the handlers ask for it. */
export type WriteRequest = {
  scope: string;
  key: string;
  expectedVersion: number;
  by: string;
  policy: ConflictPolicy;
  maxDocumentBytes: number;
} & ({ op: 'put'; document: JsonValue } | { op: 'patch'; patch: JsonValue } | { op: 'delete' });

/** The locked row a write starts from (`current` undefined: absent or deleted). */
export interface WriteBase {
  version: number;
  deleted: boolean;
  current: JsonValue | undefined;
}

/**
 * Decides what a write stores: the new document's bytes (null for a delete) and, when
 * `expectedVersion` was stale, the policy that let it through. `readVersion` loads a kept
 * version (for `merge`, the document the patch was written against).
 * @throws SbError `E_CONFLICT` (details `currentVersion`, `document`, `policy`), `E_NOT_FOUND`
 *   (deleting an absent document), `E_PAYLOAD_TOO_LARGE`.
 */
export async function planWrite(
  request: WriteRequest,
  base: WriteBase,
  readVersion: (version: number) => Promise<JsonValue | undefined>,
): Promise<{ bytes: Buffer | null; settledBy: ConflictPolicy | undefined }> {
  const { scope, key, expectedVersion, policy } = request;
  const { version, current } = base;
  const expectedHolds = expectedVersion === version || (expectedVersion === 0 && base.deleted);
  let settledBy: ConflictPolicy | undefined;
  if (!expectedHolds) {
    const conflict = () =>
      new SbError(
        'E_CONFLICT',
        `state ${scope}/${key} is at version ${version}, not ${expectedVersion}; read it again and retry`,
        { details: { currentVersion: version, document: current ?? null, policy } },
      );
    if (policy === 'reject') throw conflict();
    if (policy === 'merge') {
      if (request.op !== 'patch') throw conflict();
      // Written against an absent document: every key the current one has counts as changed.
      const atExpected = expectedVersion === 0 ? {} : await readVersion(expectedVersion);
      // A document deleted since changed as a whole: no patch avoids that change.
      if (atExpected === undefined || !canMergePatch(request.patch, atExpected, current)) {
        throw conflict();
      }
    }
    settledBy = policy;
  }
  let next: JsonValue | null;
  if (request.op === 'put') next = request.document;
  else if (request.op === 'patch') next = applyMergePatch(current, request.patch);
  else if (current === undefined) {
    throw new SbError('E_NOT_FOUND', `state ${scope}/${key} does not exist`);
  } else next = null;
  const bytes = next === null ? null : encodePayload(next);
  if (bytes !== null && bytes.length > request.maxDocumentBytes) {
    throw new SbError(
      'E_PAYLOAD_TOO_LARGE',
      `state ${scope}/${key} would be ${bytes.length} bytes, over the limit of ${request.maxDocumentBytes}; store less or split it over keys`,
      { details: { bytes: bytes.length, maxBytes: request.maxDocumentBytes } },
    );
  }
  return { bytes, settledBy };
}
