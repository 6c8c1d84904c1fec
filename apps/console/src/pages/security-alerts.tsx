import type { SecurityEvent } from '@switchboard/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { alertSummaryOf, mergeNewestFirst, parseLiveEvent } from '../domain/security-events.ts';

/** How many of the latest alerts the top of the page keeps. */
const ALERTS_SHOWN = 10;
const ALERT_EVENTS = ['security.alert'];

function windowText(windowStart: number | undefined, windowMs: number | undefined): string {
  if (windowMs === undefined) return 'window not reported';
  const length =
    windowMs >= 3_600_000
      ? `${Math.round(windowMs / 3_600_000)} h`
      : windowMs >= 60_000
        ? `${Math.round(windowMs / 60_000)} min`
        : `${Math.round(windowMs / 1000)} s`;
  return windowStart === undefined
    ? `within ${length}`
    : `${length} from ${new Date(windowStart).toLocaleTimeString()}`;
}

/** The latest detector alerts, highlighted at the top of the security page, live. */
export function SecurityAlerts({ onOpen }: { onOpen: (event: SecurityEvent) => void }) {
  const [alerts, setAlerts] = useState<SecurityEvent[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    api<Page<SecurityEvent>>(
      'GET',
      `/v1/security/events${queryOf({ kind: 'alert', limit: ALERTS_SHOWN })}`,
    ).then(
      (page) =>
        setAlerts((current) => mergeNewestFirst(current ?? [], page.items).slice(0, ALERTS_SHOWN)),
      setError,
    );
  }, []);
  const onAlert = useCallback((data: unknown) => {
    const alert = parseLiveEvent(data);
    if (alert === undefined) return;
    setAlerts((current) => mergeNewestFirst(current ?? [], [alert]).slice(0, ALERTS_SHOWN));
  }, []);
  useLive(ALERT_EVENTS, onAlert);

  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {error !== undefined && <ErrorNote error={error} what="The alerts could not be read" />}
      {alerts === undefined ? (
        error === undefined && <Loading what="alerts" />
      ) : alerts.length === 0 ? (
        <p className="muted">
          No alert: the detectors (many authentication failures from one address or credential, a
          key used from many addresses) have not fired.
        </p>
      ) : (
        <ul className="alerts" aria-label="Alerts">
          {alerts.map((alert) => {
            const summary = alertSummaryOf(alert);
            return (
              <li key={alert.id} className="alert-card">
                <span className="badge bad">{summary.detector}</span>{' '}
                <strong>{summary.subject}</strong>
                {summary.count !== undefined && <> · {summary.count} times</>} ·{' '}
                {windowText(summary.windowStart, summary.windowMs)} ·{' '}
                <button type="button" className="link" onClick={() => onOpen(alert)}>
                  {new Date(alert.at).toLocaleString()}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
