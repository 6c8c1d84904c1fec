// Turns the gateway's stats snapshots (`GET /v1/stats`, and the live `stats` events) into the
// series the overview charts: gauges as they are, counters as rates per second. Pure, so the
// arithmetic is tested without a browser.

/** One service's answer in a snapshot: its figures, or why it gave none. */
export type ServiceStats =
  | { service: string; instanceId: string; uptimeMs: number; figures: Record<string, number> }
  | { error: { code: string; message: string } };

/** What `GET /v1/stats` lists and a `stats` event carries. */
export interface StatsSnapshot {
  at: string;
  services: Record<string, ServiceStats>;
}

/** Where a figure is: `router.accepted` is the router's `accepted`. */
export interface FigureRef {
  service: string;
  figure: string;
}

/** Times in seconds (what uPlot takes) and one value per time; null where unknown. */
export interface Series {
  times: number[];
  values: Array<number | null>;
}

function figureOf(snapshot: StatsSnapshot, ref: FigureRef): number | undefined {
  const stats = snapshot.services[ref.service];
  if (stats === undefined || 'error' in stats) return undefined;
  return stats.figures[ref.figure];
}

function instanceOf(snapshot: StatsSnapshot, service: string): string | undefined {
  const stats = snapshot.services[service];
  return stats === undefined || 'error' in stats ? undefined : stats.instanceId;
}

const secondsOf = (snapshot: StatsSnapshot) => Date.parse(snapshot.at) / 1000;

/** A gauge (connections, queue depth) as reported; null where the service did not answer. */
export function gaugeSeries(snapshots: readonly StatsSnapshot[], ref: FigureRef): Series {
  return {
    times: snapshots.map(secondsOf),
    values: snapshots.map((snapshot) => figureOf(snapshot, ref) ?? null),
  };
}

/**
 * How much a counter grew from one snapshot to the next. Each snapshot comes from whichever
 * replica answered, and a replica's counters start at zero when it starts: where the answering
 * instance changed or the counter went down, the growth is unknown (undefined) rather than a
 * made-up spike.
 */
function growthOf(
  previous: StatsSnapshot,
  current: StatsSnapshot,
  ref: FigureRef,
): number | undefined {
  const before = figureOf(previous, ref);
  const after = figureOf(current, ref);
  const sameInstance = instanceOf(previous, ref.service) === instanceOf(current, ref.service);
  if (before === undefined || after === undefined || !sameInstance || after < before) {
    return undefined;
  }
  return after - before;
}

/** One point per pair of consecutive snapshots, at the later one's time. */
function pairSeries(
  snapshots: readonly StatsSnapshot[],
  pointOf: (previous: StatsSnapshot, current: StatsSnapshot) => number | null,
): Series {
  const times: number[] = [];
  const values: Array<number | null> = [];
  for (let index = 1; index < snapshots.length; index++) {
    const previous = snapshots[index - 1] as StatsSnapshot;
    const current = snapshots[index] as StatsSnapshot;
    times.push(secondsOf(current));
    values.push(pointOf(previous, current));
  }
  return { times, values };
}

/**
 * A counter (messages accepted, ...) as a rate per second between consecutive snapshots; null
 * where its growth is unknown (see {@link growthOf}).
 */
export function rateSeries(snapshots: readonly StatsSnapshot[], ref: FigureRef): Series {
  return pairSeries(snapshots, (previous, current) => {
    const growth = growthOf(previous, current, ref);
    const seconds = secondsOf(current) - secondsOf(previous);
    return growth === undefined || seconds <= 0 ? null : growth / seconds;
  });
}

/**
 * The share, in percent, that the counters `part` grew by out of what the counters `whole` grew
 * by, between consecutive snapshots (failed tool calls out of all calls, per interval). Null
 * where a growth is unknown or `whole` did not grow (no calls: no rate to speak of).
 */
export function shareSeries(
  snapshots: readonly StatsSnapshot[],
  part: readonly FigureRef[],
  whole: readonly FigureRef[],
): Series {
  const sum = (previous: StatsSnapshot, current: StatsSnapshot, refs: readonly FigureRef[]) => {
    let total = 0;
    for (const ref of refs) {
      const growth = growthOf(previous, current, ref);
      if (growth === undefined) return undefined;
      total += growth;
    }
    return total;
  };
  return pairSeries(snapshots, (previous, current) => {
    const parts = sum(previous, current, part);
    const all = sum(previous, current, whole);
    if (parts === undefined || all === undefined || all === 0) return null;
    return (parts / all) * 100;
  });
}

/** The last known value of a series, or undefined when it has none. */
export function latest(series: Series): number | undefined {
  for (let index = series.values.length - 1; index >= 0; index--) {
    const value = series.values[index];
    if (value !== null && value !== undefined) return value;
  }
  return undefined;
}

/** Adds a snapshot to a window kept in time order, dropping those older than `windowMs`. */
export function appendSnapshot(
  snapshots: readonly StatsSnapshot[],
  next: StatsSnapshot,
  windowMs: number,
): StatsSnapshot[] {
  const last = snapshots.at(-1);
  if (last !== undefined && Date.parse(next.at) <= Date.parse(last.at)) return [...snapshots];
  const oldest = Date.parse(next.at) - windowMs;
  return [...snapshots.filter((snapshot) => Date.parse(snapshot.at) >= oldest), next];
}
