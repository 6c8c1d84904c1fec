import {
  agentScope,
  type StateChangedEvent,
  type StateEntry,
  StateEntrySchema,
  type StateHistoryPage,
  StateHistoryRpc,
  type StatePutFrame,
  StateUnwatchResultSchema,
  StateWatchRpc,
  type StateWriteResult,
  StateWriteResultSchema,
} from '@switchboard/protocol';
import { requestResult, type SendRequest } from './request-result.ts';
import type { StateWatches } from './state-watches.ts';

/** What a `stateChanged` event carries: a key of a watched scope got `version` by `op`. */
export type StateChange = StateChangedEvent;

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
  /**
   * Watches a scope the agent may read (its own by default): every later write there is
   * reported by the client's `stateChanged` event (scope, key, version, op; read the document
   * with `get` when needed). Resolves with the scope watched; the client watches it again after
   * every reconnect. `E_FORBIDDEN` without read access, `E_RATE_LIMITED` past the gateway's
   * per-connection limit. A change made while the client was reconnecting is not reported:
   * compare versions with `get` after `connected` when that matters.
   */
  watch(scope?: string): Promise<{ scope: string }>;
  /** Stops watching a scope (its own by default); resolves with whether it was watched. */
  unwatch(scope?: string): Promise<{ removed: boolean }>;
}

function scoped(options: StateScopeOption | undefined): { scope?: string } {
  return options?.scope === undefined ? {} : { scope: options.scope };
}

/** The state calls over `send`; `watches` remembers watched scopes, `agentId` names its own. */
export function createStateApi(
  send: SendRequest,
  watching: { watches: StateWatches; agentId: () => string },
): StateApi {
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
    watch: async (scope) => {
      const watched = await requestResult(
        send,
        { type: 'state.watch', ...scoped({ scope }) },
        StateWatchRpc.response,
      );
      watching.watches.add(watched.scope);
      return watched;
    },
    unwatch: async (scope) => {
      // Forgotten first: a watch must not come back on the next connection once asked to end.
      watching.watches.delete(scope ?? agentScope(watching.agentId()));
      return requestResult(
        send,
        { type: 'state.unwatch', ...scoped({ scope }) },
        StateUnwatchResultSchema,
      );
    },
  };
}
