import { describe, expect, it } from 'vitest';
import {
  appendSnapshot,
  gaugeSeries,
  latest,
  rateSeries,
  type ServiceStats,
  type StatsSnapshot,
  shareSeries,
} from './series.ts';

const router = (instanceId: string, figures: Record<string, number>): ServiceStats => ({
  service: 'router',
  instanceId,
  uptimeMs: 1,
  figures,
});

const snapshot = (second: number, services: Record<string, ServiceStats>): StatsSnapshot => ({
  at: new Date(second * 1000).toISOString(),
  services,
});

const down: ServiceStats = { error: { code: 'E_UNAVAILABLE', message: 'no router' } };
const accepted = { service: 'router', figure: 'accepted' };

describe('rateSeries', () => {
  it('turns a counter into a rate per second between snapshots', () => {
    const series = rateSeries(
      [
        snapshot(100, { router: router('r1', { accepted: 10 }) }),
        snapshot(105, { router: router('r1', { accepted: 60 }) }),
        snapshot(107, { router: router('r1', { accepted: 60 }) }),
      ],
      accepted,
    );
    expect(series).toEqual({ times: [105, 107], values: [10, 0] });
  });

  it('leaves a point unknown where the service was down, another replica answered or the counter reset', () => {
    const series = rateSeries(
      [
        snapshot(1, { router: router('r1', { accepted: 5 }) }),
        snapshot(2, { router: down }),
        snapshot(3, { router: router('r1', { accepted: 9 }) }),
        snapshot(4, { router: router('r2', { accepted: 100 }) }),
        snapshot(5, { router: router('r2', { accepted: 3 }) }),
        snapshot(6, {}),
        snapshot(6, { router: router('r2', { accepted: 4 }) }),
      ],
      accepted,
    );
    expect(series.values).toEqual([null, null, null, null, null, null]);
  });

  it('needs two snapshots for a rate', () => {
    expect(rateSeries([snapshot(1, {})], accepted)).toEqual({ times: [], values: [] });
  });
});

describe('shareSeries', () => {
  const tools = (instanceId: string, ok: number, failed: number, timedOut: number) => ({
    tools: {
      service: 'tools',
      instanceId,
      uptimeMs: 1,
      figures: { callsOk: ok, callsFailed: failed, callsTimedOut: timedOut },
    },
  });
  const errors = [
    { service: 'tools', figure: 'callsFailed' },
    { service: 'tools', figure: 'callsTimedOut' },
  ];
  const calls = [{ service: 'tools', figure: 'callsOk' }, ...errors];

  it('gives the percentage the part grew by out of the whole, per interval', () => {
    const series = shareSeries(
      [
        snapshot(10, tools('t1', 10, 1, 0)),
        snapshot(15, tools('t1', 16, 2, 1)),
        snapshot(20, tools('t1', 26, 2, 1)),
      ],
      errors,
      calls,
    );
    expect(series).toEqual({ times: [15, 20], values: [25, 0] });
  });

  it('leaves an interval unknown without calls, with a figure missing, or where the replica changed', () => {
    const series = shareSeries(
      [
        snapshot(1, tools('t1', 4, 1, 0)),
        snapshot(2, tools('t1', 4, 1, 0)),
        snapshot(3, { tools: down }),
        snapshot(4, tools('t1', 9, 1, 0)),
        snapshot(5, tools('t2', 20, 5, 0)),
      ],
      errors,
      calls,
    );
    expect(series.values).toEqual([null, null, null, null]);
  });
});

describe('gaugeSeries and latest', () => {
  it('reports a gauge as it is, null where missing, and its last known value', () => {
    const series = gaugeSeries(
      [
        snapshot(1, { router: router('r1', { queued: 3 }) }),
        snapshot(2, { router: router('r1', { queued: 7 }) }),
        snapshot(3, { router: down }),
      ],
      { service: 'router', figure: 'queued' },
    );
    expect(series).toEqual({ times: [1, 2, 3], values: [3, 7, null] });
    expect(latest(series)).toBe(7);
    expect(latest({ times: [], values: [] })).toBeUndefined();
  });
});

describe('appendSnapshot', () => {
  it('keeps the window in time order and drops what fell out of it', () => {
    const kept = [snapshot(1, {}), snapshot(5, {})];
    const next = appendSnapshot(kept, snapshot(12, {}), 8000);
    expect(next.map((item) => item.at)).toEqual([snapshot(5, {}).at, snapshot(12, {}).at]);
    // A snapshot that is not newer (a duplicate from the live channel) changes nothing.
    expect(appendSnapshot(next, snapshot(12, {}), 8000)).toEqual(next);
    expect(appendSnapshot([], snapshot(1, {}), 8000)).toEqual([snapshot(1, {})]);
  });
});
