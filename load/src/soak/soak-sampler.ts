import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { LoadMesh } from '../mesh.ts';
import { readGauge } from './prometheus-text.ts';
import type { SoakSample } from './soak-judge.ts';

// Reads what a soak watches, every few seconds while the load runs: each service's memory from
// its /metrics (prom-client's default gauges), the run namespace's Redis keys (SCAN by prefix:
// the machine's Redis is shared, KEYS would block it) and the size of each table of the run's
// database.

const MIB = 2 ** 20;
/** The schemas the services own (DESIGN.md: one per service). */
const SCHEMAS = ['gateway', 'router', 'state', 'tasks', 'tools', 'a2a'];

/** Samples a mesh every `everyMs` until stopped; `originMs` is the epoch time `atS` counts from. */
export class SoakSampler {
  private readonly samples: SoakSample[] = [];
  private readonly redis: Redis;
  private readonly sql: postgres.Sql;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Samples that failed (Postgres or Redis did not answer): left out, counted for the report. */
  failed = 0;

  constructor(
    private readonly mesh: LoadMesh,
    private readonly originMs: () => number,
  ) {
    this.redis = new Redis(mesh.context.env.SB_REDIS__URL as string, { lazyConnect: true });
    this.sql = postgres(mesh.context.database.url, { max: 1, onnotice: () => undefined });
  }

  private async memory(): Promise<Pick<SoakSample, 'rssMiB' | 'heapMiB'>> {
    const rssMiB: Record<string, number> = {};
    const heapMiB: Record<string, number> = {};
    await Promise.all(
      Object.entries(this.mesh.services).map(async ([name, service]) => {
        // A service that does not answer in time is left out of this sample, not read as 0.
        const text = await fetch(`http://127.0.0.1:${service.port}/metrics`, {
          signal: AbortSignal.timeout(3000),
        })
          .then((response) => response.text())
          .catch(() => '');
        const rss = readGauge(text, 'process_resident_memory_bytes');
        const heap = readGauge(text, 'nodejs_heap_size_used_bytes');
        if (rss !== undefined) rssMiB[name] = rss / MIB;
        if (heap !== undefined) heapMiB[name] = heap / MIB;
      }),
    );
    return { rssMiB, heapMiB };
  }

  private async redisKeys(): Promise<number> {
    let keys = 0;
    for await (const batch of this.redis.scanStream({
      match: `${this.mesh.context.namespace}:*`,
      count: 1000,
    }) as AsyncIterable<string[]>) {
      keys += batch.length;
    }
    return keys;
  }

  private async tables(): Promise<Pick<SoakSample, 'tableMiB' | 'tableRows'>> {
    const rows = await this.sql<Array<{ name: string; bytes: string; live: string | null }>>`
      select n.nspname || '.' || c.relname as name, pg_total_relation_size(c.oid) as bytes,
        s.n_live_tup as live
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
      where c.relkind = 'r' and n.nspname in ${this.sql(SCHEMAS)}`;
    return {
      tableMiB: Object.fromEntries(rows.map((row) => [row.name, Number(row.bytes) / MIB])),
      tableRows: Object.fromEntries(rows.map((row) => [row.name, Number(row.live ?? 0)])),
    };
  }

  private async take(): Promise<void> {
    const atS = (Date.now() - this.originMs()) / 1000;
    const [memory, redisKeys, tables] = await Promise.all([
      this.memory(),
      this.redisKeys(),
      this.tables(),
    ]);
    this.samples.push({ atS, ...memory, redisKeys, ...tables });
  }

  /** Sets `storage` (a reloptions list) on each of `tables` (`schema.table`, constants). */
  async tune(tables: Iterable<string>, storage: string): Promise<void> {
    for (const table of tables) await this.sql.unsafe(`ALTER TABLE ${table} SET (${storage})`);
  }

  /** Takes a sample now and every `everyMs` (a slow one delays the next, never overlaps it). */
  async start(everyMs: number): Promise<void> {
    await this.redis.connect();
    const loop = async () => {
      await this.take().catch(() => {
        this.failed += 1;
      });
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = loop();
      }, everyMs);
    };
    this.running = loop();
    await this.running;
  }

  /** Stops sampling (after a last sample) and returns every sample. */
  async stop(): Promise<SoakSample[]> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.take().catch(() => {
      this.failed += 1;
    });
    this.redis.disconnect();
    await this.sql.end({ timeout: 5 });
    return this.samples;
  }
}
