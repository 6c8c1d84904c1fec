import type { Cache } from '@switchboard/cache';
import type { ToolFigures } from '@switchboard/protocol';
import type { ToolsSettings } from './config.ts';
import type { AuditStore } from './db/audit-store.ts';
import { healthOf } from './domain/health.ts';

const figuresKey = (name: string | undefined, version: string | undefined) =>
  `tools:figures:${name ?? '*'}@${version ?? '*'}`;

/**
 * Per tool version figures: totals from `tool_figures`, latency percentiles and health from
 * the audit rows of the health window. Hot answers are cached in Redis for
 * `figuresCacheTtlMs` (shared by replicas); Postgres stays the source.
 */
export function createFigures(deps: {
  store: AuditStore;
  cache: Cache;
  settings: () => ToolsSettings;
}) {
  return {
    async of(filter: { name?: string | undefined; version?: string | undefined }) {
      const { health, figuresCacheTtlMs } = deps.settings().audit;
      const key = figuresKey(filter.name, filter.version);
      if (figuresCacheTtlMs > 0) {
        const cached = (await deps.cache.getJson(key)) as ToolFigures[] | undefined;
        if (cached !== undefined) return cached;
      }
      const rows = await deps.store.figures({
        ...filter,
        windowStart: new Date(Date.now() - health.windowMs),
      });
      const figures: ToolFigures[] = rows.map((row) => ({
        name: row.name,
        version: row.version,
        calls: row.calls,
        errors: row.errors,
        timeouts: row.timeouts,
        p50Ms: row.p50Ms,
        p95Ms: row.p95Ms,
        p99Ms: row.p99Ms,
        lastSuccessAt: row.lastSuccessAt,
        health: healthOf({ ok: row.recentOk, failed: row.recentFailed }, health),
      }));
      if (figuresCacheTtlMs > 0) await deps.cache.setJson(key, figures, figuresCacheTtlMs);
      return figures;
    },
  };
}

/** The figures (see {@link createFigures}). */
export type Figures = ReturnType<typeof createFigures>;
