import {
  type StateEntry,
  StateEntrySchema,
  type StateHistoryPage,
  StateHistoryRpc,
  type StatePutFrame,
  type StateWriteResult,
  StateWriteResultSchema,
} from '@switchboard/protocol';
import { requestResult, type SendRequest } from './request-result.ts';

/** A JSON value: what a state document or a merge patch holds. */
export type StateDocument = StatePutFrame['document'];

/** Which scope a call addresses; the agent's own `agent:<agentId>` when left out. */
export interface StateScopeOption {
  scope?: string;
}

/** A write's options: the version it expects (0: the key must not exist) and the scope. */
export interface StateWriteOptions extends StateScopeOption {
  expectedVersion: number;
}

/** A history page's options: how many versions (default 50) and where the last page ended. */
export interface StateHistoryOptions extends StateScopeOption {
  limit?: number;
  cursor?: string;
}

/**
 * Versioned documents in the state service, by scope and key. Every call rejects with the
 * gateway's `SbError`: `E_CONFLICT` for a stale `expectedVersion` (with `details.currentVersion`
 * and `details.document`), `E_FORBIDDEN` for a scope the credential has no grant on,
 * `E_NOT_FOUND`, `E_VALIDATION`, `E_TIMEOUT` or `E_UNAVAILABLE`.
 */
export interface StateApi {
  /** The current document and its version. */
  get(key: string, options?: StateScopeOption): Promise<StateEntry>;
  /** Replaces the document at `expectedVersion`; resolves with the version it created. */
  put(key: string, document: StateDocument, options: StateWriteOptions): Promise<StateWriteResult>;
  /** Applies a JSON Merge Patch (RFC 7386) at `expectedVersion`. */
  patch(key: string, patch: StateDocument, options: StateWriteOptions): Promise<StateWriteResult>;
  /** Deletes the document at `expectedVersion` (a later put continues from the tombstone). */
  delete(key: string, options: StateWriteOptions): Promise<StateWriteResult>;
  /** Kept versions, newest first; pass `nextCursor` as `cursor` for older ones. */
  history(key: string, options?: StateHistoryOptions): Promise<StateHistoryPage>;
}

function scoped(options: StateScopeOption | undefined): { scope?: string } {
  return options?.scope === undefined ? {} : { scope: options.scope };
}

/** The state calls over `send`. */
export function createStateApi(send: SendRequest): StateApi {
  const write = (options: StateWriteOptions) => ({
    ...scoped(options),
    expectedVersion: options.expectedVersion,
  });
  return {
    get: (key, options) =>
      requestResult(send, { type: 'state.get', key, ...scoped(options) }, StateEntrySchema),
    put: (key, document, options) =>
      requestResult(
        send,
        { type: 'state.put', key, document, ...write(options) },
        StateWriteResultSchema,
      ),
    patch: (key, patch, options) =>
      requestResult(
        send,
        { type: 'state.patch', key, patch, ...write(options) },
        StateWriteResultSchema,
      ),
    delete: (key, options) =>
      requestResult(send, { type: 'state.delete', key, ...write(options) }, StateWriteResultSchema),
    history: (key, options) =>
      requestResult(
        send,
        {
          type: 'state.history',
          key,
          ...scoped(options),
          ...(options?.limit === undefined ? {} : { limit: options.limit }),
          ...(options?.cursor === undefined ? {} : { cursor: options.cursor }),
        },
        StateHistoryRpc.response,
      ),
  };
}
