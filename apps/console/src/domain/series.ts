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
 * A counter (messages accepted, ...) as a rate per second between consecutive snapshots. Each
 * snapshot comes from whichever replica answered, and a replica's counters start at zero when
 * it starts: a point where the answering instance changed or the counter went down is unknown
 * (null) rather than a made-up spike.
 */
export function rateSeries(snapshots: readonly StatsSnapshot[], ref: FigureRef): Series {
  const times: number[] = [];
  const values: Array<number | null> = [];
  for (let index = 1; index < snapshots.length; index++) {
    const previous = snapshots[index - 1] as StatsSnapshot;
    const current = snapshots[index] as StatsSnapshot;
    const before = figureOf(previous, ref);
    const after = figureOf(current, ref);
    const seconds = secondsOf(current) - secondsOf(previous);
    const sameInstance = instanceOf(previous, ref.service) === instanceOf(current, ref.service);
    times.push(secondsOf(current));
    values.push(
      before === undefined || after === undefined || !sameInstance || after < before || seconds <= 0
        ? null
        : (after - before) / seconds,
    );
  }
  return { times, values };
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
