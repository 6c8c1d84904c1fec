import {
  type SecurityEvent,
  type SecurityEventKind,
  SecurityEventKinds,
} from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import {
  factsOf,
  liveSecurityEventNames,
  matchesFilters,
  mergeNewestFirst,
  noFilters,
  parseLiveEvent,
  queryParamsOf,
  type SecurityFilters,
  whoOf,
} from '../domain/security-events.ts';

const PAGE_SIZE = 50;

function FilterForm({ onApply }: { onApply: (filters: SecurityFilters) => void }) {
  const [draft, setDraft] = useState<SecurityFilters>(noFilters);
  const toggleKind = (kind: SecurityEventKind) =>
    setDraft({
      ...draft,
      kinds: draft.kinds.includes(kind)
        ? draft.kinds.filter((chosen) => chosen !== kind)
        : [...draft.kinds, kind],
    });
  const text = (name: 'principal' | 'ip' | 'since' | 'until', label: string, type = 'text') => (
    <label>
      {label}{' '}
      <input
        type={type}
        value={draft[name]}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </label>
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Filter security events">
      <fieldset className="kinds">
        <legend>Kinds (none: all)</legend>
        {SecurityEventKinds.map((kind) => (
          <label key={kind} className="inline">
            <input
              type="checkbox"
              checked={draft.kinds.includes(kind)}
              onChange={() => toggleKind(kind)}
            />{' '}
            {kind}
          </label>
        ))}
      </fieldset>
      {text('principal', 'Principal or credential')}
      {text('ip', 'Client address')}
      {text('since', 'Since', 'datetime-local')}
      {text('until', 'Until', 'datetime-local')}
      <button type="submit" className="primary">
        Filter
      </button>
      <button
        type="button"
        onClick={() => {
          setDraft(noFilters);
          onApply(noFilters);
        }}
      >
        Clear
      </button>
    </form>
  );
}

/** Every fact of one event; focus moves to it so a keyboard user lands there. */
export function SecurityEventDetail({
  event,
  onClose,
}: {
  event: SecurityEvent;
  onClose: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <aside
      className="panel"
      aria-labelledby="security-event-title"
      onKeyDown={(key) => {
        if (key.key === 'Escape') onClose();
      }}
    >
      <h2 id="security-event-title" ref={heading} tabIndex={-1}>
        {event.kind} at {new Date(event.at).toLocaleString()}
      </h2>
      <dl aria-label="Facts">
        {factsOf(event).map(([label, value]) => (
          <div key={label} className="fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </aside>
  );
}

function EventTable({
  events,
  open,
  onOpen,
}: {
  events: SecurityEvent[];
  open: SecurityEvent | undefined;
  onOpen: (event: SecurityEvent) => void;
}) {
  return (
    <Table columns={['when', 'kind', 'who', 'client address', 'service', 'path', 'code']}>
      {events.map((event) => (
        <tr
          key={event.id}
          className={
            event.id === open?.id ? 'selected' : event.kind === 'alert' ? 'highlight' : undefined
          }
        >
          <td>
            <button type="button" className="link" onClick={() => onOpen(event)}>
              {new Date(event.at).toLocaleString()}
            </button>
          </td>
          <td>
            <span className={event.kind === 'alert' ? 'badge bad' : 'badge warn'}>
              {event.kind}
            </span>
          </td>
          <td>{whoOf(event)}</td>
          <td>{event.ip ?? '–'}</td>
          <td>{event.service}</td>
          <td>{event.path ?? '–'}</td>
          <td>{event.code ?? '–'}</td>
        </tr>
      ))}
    </Table>
  );
}

/** The stored security events, newest first: filters, "load more" by cursor, live additions. */
export function SecurityEventLog({
  open,
  onOpen,
}: {
  open: SecurityEvent | undefined;
  onOpen: (event: SecurityEvent | undefined) => void;
}) {
  const [filters, setFilters] = useState<SecurityFilters>(noFilters);
  const [events, setEvents] = useState<SecurityEvent[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const pageOf = useCallback(
    (after?: string) =>
      api<Page<SecurityEvent>>(
        'GET',
        `/v1/security/events${queryOf({ ...queryParamsOf(filters), limit: PAGE_SIZE, cursor: after })}`,
      ),
    [filters],
  );
  useEffect(() => {
    let current = true;
    setEvents(undefined);
    setCursor(null);
    setError(undefined);
    pageOf().then(
      (page) => {
        if (!current) return;
        // Live events that arrived while the page was on its way stay.
        setEvents((live) => mergeNewestFirst(live ?? [], page.items));
        setCursor(page.nextCursor);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [pageOf]);

  const loadMore = () => {
    if (cursor === null) return;
    setLoadingMore(true);
    pageOf(cursor)
      .then((page) => {
        setEvents((current) => mergeNewestFirst(current ?? [], page.items));
        setCursor(page.nextCursor);
      }, setError)
      .finally(() => setLoadingMore(false));
  };

  const onLiveEvent = useCallback(
    (data: unknown) => {
      const event = parseLiveEvent(data);
      if (event === undefined || !matchesFilters(event, filters)) return;
      setEvents((current) => mergeNewestFirst(current ?? [], [event]));
    },
    [filters],
  );
  useLive(liveSecurityEventNames, onLiveEvent);

  const filtered = Object.values(queryParamsOf(filters)).some((value) => value !== undefined);
  return (
    <section aria-labelledby="security-events-title">
      <h2 id="security-events-title">Security events</h2>
      <FilterForm onApply={setFilters} />
      {error !== undefined && (
        <ErrorNote error={error} what="The security events could not be read" />
      )}
      <div className={open === undefined ? undefined : 'split'}>
        <div>
          {events === undefined ? (
            error === undefined && <Loading what="security events" />
          ) : events.length === 0 ? (
            <Empty>
              {filtered
                ? 'No security event matches these filters.'
                : 'No security event stored: refused credentials, revoked keys presented, forbidden actions, rate limits reached, payloads that did not decrypt and alerts appear here as they happen.'}
            </Empty>
          ) : (
            <EventTable events={events} open={open} onOpen={onOpen} />
          )}
          {cursor !== null && events !== undefined && (
            <button type="button" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
        {open !== undefined && (
          <SecurityEventDetail key={open.id} event={open} onClose={() => onOpen(undefined)} />
        )}
      </div>
    </section>
  );
}
