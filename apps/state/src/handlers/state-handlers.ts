import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  SbError,
  StateChangedEventSchema,
  StateDeleteRpc,
  StateGetRpc,
  StateHistoryRpc,
  StatePatchRpc,
  StatePutRpc,
  StateSummaryRpc,
  StateVersionRpc,
  StateWatchRpc,
} from '@switchboard/protocol';
import type { StateSettings } from '../config.ts';
import type { DocumentStore } from '../db/document-store.ts';
import { authorizeState } from '../domain/access.ts';
import { conflictPolicyFor } from '../domain/conflicts.ts';
import type { JsonValue } from '../domain/merge-patch.ts';
import type { WriteRequest } from '../domain/plan-write.ts';
import { versionPage } from '../domain/version-page.ts';
import type { StateCache } from '../state-cache.ts';
import type { StateMetrics } from '../state-metrics.ts';

/** What the state handlers use. */
export interface StateHandlerDeps {
  bus: Bus;
  store: DocumentStore;
  cache: StateCache;
  metrics: StateMetrics;
  log: Logger;
  settings: () => StateSettings;
}

type WriteBody =
  | { op: 'put'; document: JsonValue }
  | { op: 'patch'; patch: JsonValue }
  | { op: 'delete' };

function notFound(scope: string, key: string): SbError {
  return new SbError('E_NOT_FOUND', `state ${scope}/${key} does not exist`, {
    details: { scope, key },
  });
}

/**
 * Serves `<ns>.v1.state.{get,put,patch,delete,history,version,summary,watch}` in the `state`
 * queue group.
 */
export function serveStateRpcs(deps: StateHandlerDeps) {
  const { bus, store, cache, metrics } = deps;
  const queue = { queue: bus.subjects.queueGroup('state') };
  const subject = (operation: string) => bus.subjects.rpc('state', operation);

  const write = async (
    address: { scope: string; key: string; expectedVersion: number },
    principal: string | undefined,
    body: WriteBody,
  ) => {
    const by = authorizeState(principal, address.scope, 'write');
    const settings = deps.settings();
    const policy = conflictPolicyFor(address.scope, settings.conflictPolicies);
    const started = performance.now();
    const request = {
      ...address,
      ...body,
      by,
      policy,
      maxDocumentBytes: settings.maxDocumentBytes,
    } as WriteRequest;
    let outcome: Awaited<ReturnType<DocumentStore['write']>>;
    try {
      outcome = await store.write(request);
    } catch (error) {
      if (error instanceof SbError && error.code === 'E_CONFLICT') {
        metrics.conflict(policy, 'rejected');
      }
      throw error;
    }
    if (outcome.settledBy !== undefined) metrics.conflict(outcome.settledBy, 'settled');
    metrics.wrote(body.op, (performance.now() - started) / 1000);
    // Invalidated before the reply: once a writer hears back, no replica reads the old entry.
    await cache.invalidate(address.scope, address.key, outcome.version);
    void bus
      .publishEvent(bus.subjects.event('state', 'changed'), StateChangedEventSchema, {
        scope: address.scope,
        key: address.key,
        version: outcome.version,
        op: body.op,
      })
      .catch((err: unknown) => deps.log.warn({ err }, 'state.changed event not published'));
    return { version: outcome.version, updatedAt: outcome.updatedAt };
  };

  return [
    bus.serve(
      subject(StateGetRpc.operation),
      StateGetRpc,
      async ({ scope, key }, context) => {
        authorizeState(context.principal, scope, 'read');
        metrics.read('get');
        const cached = await cache.get(scope, key);
        const current = cached ?? (await store.read(scope, key));
        if (current === undefined) throw notFound(scope, key);
        if (cached === undefined) await cache.set(scope, key, current);
        return { scope, key, ...current };
      },
      queue,
    ),
    bus.serve(
      subject(StatePutRpc.operation),
      StatePutRpc,
      ({ document, ...address }, context) =>
        write(address, context.principal, { op: 'put', document: document as JsonValue }),
      queue,
    ),
    bus.serve(
      subject(StatePatchRpc.operation),
      StatePatchRpc,
      ({ patch, ...address }, context) =>
        write(address, context.principal, { op: 'patch', patch: patch as JsonValue }),
      queue,
    ),
    bus.serve(
      subject(StateDeleteRpc.operation),
      StateDeleteRpc,
      (address, context) => write(address, context.principal, { op: 'delete' }),
      queue,
    ),
    bus.serve(
      subject(StateHistoryRpc.operation),
      StateHistoryRpc,
      async ({ scope, key, limit, cursor }, context) => {
        authorizeState(context.principal, scope, 'read');
        metrics.read('history');
        const items = await store.history(
          scope,
          key,
          limit,
          cursor === undefined ? undefined : Number(cursor),
        );
        return versionPage(items, limit);
      },
      queue,
    ),
    bus.serve(
      subject(StateVersionRpc.operation),
      StateVersionRpc,
      async ({ scope, key, version }, context) => {
        authorizeState(context.principal, scope, 'read');
        metrics.read('version');
        const kept = await store.version(scope, key, version);
        if (kept === undefined) {
          throw new SbError(
            'E_NOT_FOUND',
            `state ${scope}/${key} has no version ${version} in history (never written, or swept by retention)`,
            { details: { scope, key, version } },
          );
        }
        return kept;
      },
      queue,
    ),
    // Straight from Postgres: the cache holds documents by key and cannot list a scope.
    bus.serve(
      subject(StateSummaryRpc.operation),
      StateSummaryRpc,
      async ({ scope, limit }, context) => {
        authorizeState(context.principal, scope, 'read');
        metrics.read('summary');
        return { scope, ...(await store.summary(scope, limit)) };
      },
      queue,
    ),
    // The gateway keeps the watch; the owner of the scope only decides who may have one.
    bus.serve(
      subject(StateWatchRpc.operation),
      StateWatchRpc,
      async ({ scope }, context) => {
        authorizeState(context.principal, scope, 'read');
        return { scope };
      },
      queue,
    ),
  ];
}
