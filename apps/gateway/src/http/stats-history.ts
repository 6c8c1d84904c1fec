import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { type PeriodicJob, runEvery } from '@switchboard/service';
import type { OverviewSettings } from './settings.ts';
import { gatherStats, type StatsSnapshot } from './stats.ts';

/**
 * The mesh's stats over the last `windowMs`, for the console's overview charts: every
 * `sampleIntervalMs` the gateway asks each service for its figures (as a `stats` event of
 * `GET /v1/events` does) and keeps the snapshots in memory. Each replica samples the whole mesh,
 * so any of them can answer; one that started a minute ago has a minute of history.
 */
export function createStatsHistory(deps: {
  bus: Bus;
  settings: () => OverviewSettings;
  statsTimeoutMs: () => number;
  log: Logger;
}) {
  const snapshots: StatsSnapshot[] = [];
  let job: PeriodicJob | undefined;

  // Snapshots arrive in time order, so the ones too old are at the front.
  const trim = () => {
    const oldest = Date.now() - deps.settings().windowMs;
    while (snapshots.length > 0 && Date.parse((snapshots[0] as StatsSnapshot).at) < oldest) {
      snapshots.shift();
    }
  };

  const sample = async () => {
    snapshots.push(await gatherStats(deps.bus, { timeoutMs: deps.statsTimeoutMs() }));
    trim();
  };

  return {
    start(): void {
      job = runEvery(() => deps.settings().sampleIntervalMs, sample, {
        log: deps.log,
        what: 'sampling the stats',
      });
    },

    /** The kept snapshots, oldest first; with `since`, only those taken after it. */
    snapshots(since?: Date): StatsSnapshot[] {
      trim();
      if (since === undefined) return [...snapshots];
      return snapshots.filter((snapshot) => Date.parse(snapshot.at) > since.getTime());
    },

    async stop(): Promise<void> {
      await job?.stop();
    },
  };
}

/** The kept stats (see {@link createStatsHistory}). */
export type StatsHistory = ReturnType<typeof createStatsHistory>;
