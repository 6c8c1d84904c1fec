import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { TimeChart } from '../components/time-chart.tsx';
import {
  appendSnapshot,
  gaugeSeries,
  latest,
  rateSeries,
  type Series,
  type StatsSnapshot,
  shareSeries,
} from '../domain/series.ts';

const WINDOW_MS = 15 * 60_000;
const STATS_EVENTS = ['stats'];
const AGENT_EVENTS = ['agent.connected', 'agent.disconnected'];
const PEER_EVENTS = ['a2a.peer'];

const accepted = { service: 'router', figure: 'accepted' };
const delivered = { service: 'router', figure: 'acked' };
const deadLettered = { service: 'router', figure: 'deadLettered' };
const queued = { service: 'router', figure: 'queued' };
const inflight = { service: 'router', figure: 'inflight' };
const deliveryP50 = { service: 'router', figure: 'deliveryP50Ms' };
const deliveryP99 = { service: 'router', figure: 'deliveryP99Ms' };
const task = (figure: string) => ({ service: 'tasks', figure });
const toolCalls = (figure: string) => ({ service: 'tools', figure });
const toolErrors = [toolCalls('callsFailed'), toolCalls('callsTimedOut')];
const allToolCalls = [toolCalls('callsOk'), toolCalls('callsRefused'), ...toolErrors];

const hasValues = (series: Series) => series.values.some((value) => value !== null);

function format(value: number | undefined, digits = 0): string {
  return value === undefined ? '–' : value.toFixed(digits);
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="figure">
      <span className="value">{value}</span>
      <span className="label">{label}</span>
    </div>
  );
}

/** How many agents are connected now (the catalog, not one gateway's count). */
function useConnectedAgents(): number | string | undefined {
  const [count, setCount] = useState<number | string | undefined>(undefined);
  const refresh = useCallback(() => {
    api<Page<unknown>>('GET', `/v1/agents${queryOf({ status: 'connected', limit: 200 })}`).then(
      (page) => setCount(page.nextCursor === null ? page.items.length : '200+'),
      () => setCount(undefined),
    );
  }, []);
  useEffect(refresh, [refresh]);
  useLive(AGENT_EVENTS, refresh);
  return count;
}

/** `up / down` over the registered A2A peers, again at each peer event; undefined until read. */
function usePeerCounts(enabled: boolean): string | undefined {
  const [counts, setCounts] = useState<string | undefined>(undefined);
  const refresh = useCallback(() => {
    if (!enabled) return;
    api<{ items: Array<{ status: string }> }>('GET', '/v1/a2a/peers').then(
      ({ items }) => {
        const count = (status: string) => items.filter((peer) => peer.status === status).length;
        setCounts(`${count('up')} / ${count('down')}`);
      },
      () => setCounts(undefined),
    );
  }, [enabled]);
  useEffect(refresh, [refresh]);
  useLive(PEER_EVENTS, refresh);
  return counts;
}

/**
 * The overview: the mesh's figures live, with the last 15 minutes charted. `canSeePeers`: the
 * session may read the A2A peers (`peers:read`), whose up / down counts it then shows.
 */
export function OverviewPage({ canSeePeers }: { canSeePeers: boolean }) {
  const [snapshots, setSnapshots] = useState<StatsSnapshot[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const connected = useConnectedAgents();
  const peers = usePeerCounts(canSeePeers);

  useEffect(() => {
    api<{ items: StatsSnapshot[] }>('GET', '/v1/stats').then(
      (history) => setSnapshots(history.items),
      setError,
    );
  }, []);
  const onStats = useCallback((data: unknown) => {
    setSnapshots((current) => appendSnapshot(current ?? [], data as StatsSnapshot, WINDOW_MS));
  }, []);
  useLive(STATS_EVENTS, onStats);

  if (error !== undefined) return <ErrorNote error={error} what="The stats could not be read" />;
  if (snapshots === undefined) return <Loading what="the stats" />;
  const last = snapshots.at(-1);
  const rates = {
    accepted: rateSeries(snapshots, accepted),
    delivered: rateSeries(snapshots, delivered),
    deadLettered: rateSeries(snapshots, deadLettered),
  };
  const depth = {
    queued: gaugeSeries(snapshots, queued),
    inflight: gaugeSeries(snapshots, inflight),
  };
  const delivery = {
    p50: gaugeSeries(snapshots, deliveryP50),
    p99: gaugeSeries(snapshots, deliveryP99),
  };
  // Mesh-wide counts the task worker keeps (docs/tasks.md): whichever replica answered.
  const tasks = {
    queued: gaugeSeries(snapshots, task('queued')),
    running: gaugeSeries(snapshots, task('running')),
    scheduled: gaugeSeries(snapshots, task('scheduled')),
  };
  const ended = {
    succeeded: gaugeSeries(snapshots, task('succeededLastMinute')),
    failed: gaugeSeries(snapshots, task('failedLastMinute')),
    cancelled: gaugeSeries(snapshots, task('cancelledLastMinute')),
    timedOut: gaugeSeries(snapshots, task('timedOutLastMinute')),
  };
  const toolErrorRate = shareSeries(snapshots, toolErrors, allToolCalls);
  const toolsAnswered = hasValues(gaugeSeries(snapshots, toolCalls('callsOk')));
  const noTasks = 'The task worker has not answered in the last 15 minutes.';

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="figures">
        <Figure label="agents connected" value={String(connected ?? '–')} />
        <Figure label="messages accepted / s" value={format(latest(rates.accepted), 1)} />
        <Figure label="delivered / s" value={format(latest(rates.delivered), 1)} />
        <Figure label="dead-lettered / s" value={format(latest(rates.deadLettered), 1)} />
        <Figure label="delivery p99, last minute (ms)" value={format(latest(delivery.p99), 1)} />
        <Figure label="queued deliveries" value={format(latest(depth.queued))} />
        <Figure
          label="tasks queued / running"
          value={`${format(latest(tasks.queued))} / ${format(latest(tasks.running))}`}
        />
        <Figure label="tasks succeeded, last minute" value={format(latest(ended.succeeded))} />
        <Figure label="tool-call errors (%)" value={format(latest(toolErrorRate), 1)} />
        {canSeePeers && <Figure label="A2A peers up / down" value={peers ?? '–'} />}
      </div>
      <div className="charts">
        <TimeChart
          title="Messages per second"
          unit="msg/s"
          series={[
            { label: 'accepted', data: rates.accepted },
            { label: 'delivered', data: rates.delivered },
            { label: 'dead-lettered', data: rates.deadLettered },
          ]}
        />
        <TimeChart
          title="Delivery latency, accepted to acked (last minute)"
          unit="ms"
          empty="No delivery acked in the last 15 minutes."
          series={[
            { label: 'p50', data: delivery.p50 },
            { label: 'p99', data: delivery.p99 },
          ]}
        />
        <TimeChart
          title="Queue depth"
          unit="deliveries"
          series={[
            { label: 'queued', data: depth.queued },
            { label: 'in flight', data: depth.inflight },
          ]}
        />
        <TimeChart
          title="Tasks by status"
          unit="tasks"
          empty={noTasks}
          series={[
            { label: 'queued', data: tasks.queued },
            { label: 'running', data: tasks.running, color: '#16a34a' },
            { label: 'scheduled', data: tasks.scheduled, color: '#9333ea' },
          ]}
        />
        <TimeChart
          title="Tasks ended in the last minute, by status"
          unit="tasks"
          empty={noTasks}
          series={[
            { label: 'succeeded', data: ended.succeeded, color: '#16a34a' },
            { label: 'failed', data: ended.failed, color: '#dc2626' },
            { label: 'cancelled', data: ended.cancelled, color: '#4b5563' },
            { label: 'timed out', data: ended.timedOut, color: '#ea580c' },
          ]}
        />
        <TimeChart
          title="Tool-call error rate (failed or timed out, of all calls)"
          unit="%"
          empty={
            toolsAnswered
              ? 'No tool calls in the last 15 minutes.'
              : 'The tool registry has not answered in the last 15 minutes.'
          }
          series={[{ label: 'errors', data: toolErrorRate, color: '#dc2626' }]}
        />
      </div>
      <h2>Services</h2>
      {last === undefined ? (
        <p className="muted">No sample yet: the first arrives within seconds.</p>
      ) : (
        <Table columns={['service', 'status', 'figures (the replica that answered)']}>
          {Object.entries(last.services).map(([name, stats]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                {'error' in stats ? (
                  <span className="badge bad">{stats.error.code}</span>
                ) : (
                  <span className="badge good">up</span>
                )}
              </td>
              <td className="figures-cell">
                {'error' in stats
                  ? stats.error.message
                  : Object.entries(stats.figures)
                      .map(([figure, value]) => `${figure} ${value}`)
                      .join(' · ')}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
