import { assertAllowed, type ToolAction } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  MAX_TOOLS_PAGE,
  SbError,
  type ToolChange,
  type ToolDefinition,
  type ToolRecord,
  ToolsChangedEventSchema,
} from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import type { AccessDecisions } from './access-decisions.ts';
import type { CatalogEntry, CatalogStore } from './db/catalog-store.ts';
import { definitionHash } from './domain/definition-hash.ts';
import { searchTools } from './domain/tool-search.ts';
import { assertValidRange, newestFirst, resolveVersion } from './domain/version-resolution.ts';
import { nextStatus, type StatusAction } from './domain/version-status.ts';
import type { SchemaValidators } from './schema-validators.ts';
import type { ToolMetrics } from './tool-metrics.ts';

const entryVersion = (entry: CatalogEntry) => ({
  ...entry,
  version: entry.record.version,
  status: entry.record.status,
});

/**
 * The catalog as callers see it: registration by providing agents, version resolution, access
 * control (a caller sees and resolves only the versions its grants cover), status changes, and
 * the `<ns>.v1.evt.tools.changed` events.
 */
export function createCatalog(deps: {
  bus: Bus;
  store: CatalogStore;
  validators: SchemaValidators;
  access: AccessDecisions;
  metrics: ToolMetrics;
  log: Logger;
}) {
  const { bus, store, validators, access } = deps;

  const announce = (name: string, version: string, change: ToolChange) =>
    bus
      .publishEvent(bus.subjects.event('tools', 'changed'), ToolsChangedEventSchema, {
        name,
        version,
        change,
      })
      .catch((err: unknown) =>
        deps.log.warn({ err, name, version }, 'a tools.changed event was lost'),
      );

  /** Every version of `name`, or `E_NOT_FOUND`. */
  async function versionsOf(name: string): Promise<CatalogEntry[]> {
    const entries = await store.versionsOf([name]);
    if (entries.length === 0) throw new SbError('E_NOT_FOUND', `no tool named ${name}`);
    return entries;
  }

  /** The versions of `name` the caller may use for `action`; `E_FORBIDDEN` when none. */
  async function visibleVersions(caller: Caller, name: string, action: ToolAction) {
    const entries = await versionsOf(name);
    const visible = entries.filter((entry) =>
      access.allowed(caller, name, entry.record.version, action),
    );
    const [newest] = newestFirst(entries.map(entryVersion));
    if (visible.length === 0 && newest !== undefined) {
      access.assert(caller, name, newest.version, action);
    }
    return visible;
  }

  /**
   * The version `range` resolves to among those the caller may use for `action`.
   * @throws SbError `E_VALIDATION` (bad range), `E_NOT_FOUND` (no tool, or no version matches),
   * `E_FORBIDDEN` (a version matches, but the caller's grants do not cover it).
   */
  async function resolve(
    caller: Caller,
    name: string,
    range: string | undefined,
    action: ToolAction,
  ): Promise<CatalogEntry> {
    if (range !== undefined) assertValidRange(range);
    const entries = await versionsOf(name);
    const usable = entries
      .filter((entry) => access.allowed(caller, name, entry.record.version, action))
      .map(entryVersion);
    const resolved = resolveVersion(usable, range);
    if (resolved !== undefined) return resolved;
    const outOfReach = resolveVersion(entries.map(entryVersion), range);
    if (outOfReach !== undefined) access.assert(caller, name, outOfReach.version, action);
    const available = newestFirst(usable)
      .map((entry) => `${entry.version} (${entry.status})`)
      .join(', ');
    throw new SbError(
      'E_NOT_FOUND',
      range === undefined
        ? `tool ${name} has no stable active version; name a version range (available: ${available})`
        : `no version of tool ${name} matches ${range} (available: ${available})`,
    );
  }

  async function changeStatus(
    caller: Caller,
    name: string,
    version: string,
    action: StatusAction,
    reason: string | null,
  ): Promise<ToolRecord> {
    assertAllowed(caller.principal, { kind: 'operator', scope: 'tools:write' });
    const [current] = (await store.versionsOf([name])).filter((e) => e.record.version === version);
    if (current === undefined)
      throw new SbError('E_NOT_FOUND', `no tool version ${name}@${version}`);
    const status = nextStatus(current.record.status, action);
    const updated = await store.setStatus(
      name,
      version,
      status,
      status === 'deprecated' ? reason : current.record.deprecationReason,
    );
    if (updated === undefined)
      throw new SbError('E_NOT_FOUND', `no tool version ${name}@${version}`);
    if (status !== current.record.status)
      await announce(name, version, status === 'retired' ? 'retired' : 'deprecated');
    return updated.record;
  }

  const api = {
    resolve,

    /**
     * Registers the definitions the calling agent provides (it needs the `provide` action on
     * each). Schemas are checked (and compiled) before anything is stored.
     */
    async register(caller: Caller, definitions: readonly ToolDefinition[]) {
      if (caller.agentId === null) {
        throw new SbError(
          'E_FORBIDDEN',
          `${caller.principal.id} is not an agent: tools are registered by the agents that provide them`,
        );
      }
      for (const [index, definition] of definitions.entries()) {
        access.assert(caller, definition.name, definition.version, 'provide');
        try {
          validators.of(definition, definitionHash(definition));
        } catch (error) {
          if (error instanceof SbError) {
            const path = `tools.${index}.${String(error.details?.path ?? '')}`;
            throw new SbError(
              error.code,
              `${definition.name}@${definition.version}: ${error.message}`,
              { details: { ...error.details, path } },
            );
          }
          throw error;
        }
      }
      const items = await store.register('agent', caller.agentId, definitions);
      for (const item of items) {
        deps.metrics.registered(item.outcome);
        if (item.outcome !== 'unchanged') {
          await announce(
            item.name,
            item.version,
            item.outcome === 'created' ? 'registered' : 'provider_added',
          );
        }
      }
      return { items };
    },

    async get(caller: Caller, name: string, range: string | undefined): Promise<ToolRecord> {
      return (await resolve(caller, name, range, 'list')).record;
    },

    /** Every version of `name` the caller may list, newest first, retired ones included. */
    async versions(caller: Caller, name: string): Promise<ToolRecord[]> {
      const entries = await visibleVersions(caller, name, 'list');
      return newestFirst(entries.map(entryVersion)).map((entry) => entry.record);
    },

    /**
     * One entry per tool the caller may list, at its default version (or its latest visible
     * one when it has no stable active version), by name after `cursor`.
     */
    async list(
      caller: Caller,
      options: { tag?: string | undefined; limit: number; cursor?: string | undefined },
    ): Promise<{ items: ToolRecord[]; nextCursor: string | null }> {
      const items: ToolRecord[] = [];
      let after = options.cursor;
      // Tools the caller may not list are skipped: read on until the page is full.
      for (;;) {
        const names = await store.names({
          ...(after === undefined ? {} : { after }),
          limit: options.limit,
          ...(options.tag === undefined ? {} : { tag: options.tag }),
        });
        const entries = await store.versionsOf(names);
        for (const name of names) {
          const visible = entries
            .filter((entry) => entry.record.name === name && entry.record.status !== 'retired')
            .filter((entry) => options.tag === undefined || entry.record.tags.includes(options.tag))
            .filter((entry) => access.allowed(caller, name, entry.record.version, 'list'))
            .map(entryVersion);
          const shown = resolveVersion(visible) ?? newestFirst(visible)[0];
          after = name;
          if (shown === undefined) continue;
          items.push(shown.record);
          if (items.length === options.limit) {
            return { items, nextCursor: name };
          }
        }
        if (names.length < options.limit) return { items, nextCursor: null };
      }
    },

    /** Every tool the caller may list (at its default version), all pages. */
    async listAll(caller: Caller): Promise<ToolRecord[]> {
      const all: ToolRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.list(caller, { limit: MAX_TOOLS_PAGE, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return all;
    },

    /** The tools the caller may list, ranked against `query` and narrowed to `tags`. */
    async search(
      caller: Caller,
      options: { query?: string | undefined; tags?: string[] | undefined; limit: number },
    ) {
      const hits = searchTools(await api.listAll(caller), options);
      return { items: hits.map((hit) => ({ tool: hit.tool, score: hit.score })) };
    },

    deprecate: (caller: Caller, name: string, version: string, reason: string | undefined) =>
      changeStatus(caller, name, version, 'deprecate', reason ?? null),

    retire: (caller: Caller, name: string, version: string) =>
      changeStatus(caller, name, version, 'retire', null),
  };
  return api;
}

/** The catalog (see {@link createCatalog}). */
export type Catalog = ReturnType<typeof createCatalog>;
