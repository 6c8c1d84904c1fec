import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

interface Role {
  name: string;
  grants: Array<{ kind: string } & Record<string, unknown>>;
}

interface RevokedKey {
  id: string;
  name: string;
  status: string;
  revokedAt: string | null;
  expiresAt: string | null;
}

interface SecurityEvent {
  /** Counts the events this page received: unique, so a stable list key. */
  id: number;
  at: string;
  what: string;
  detail: string;
}

const SECURITY_EVENTS = ['auth.changed', 'agent.disconnected'];
// Disconnects that say something about security, as opposed to agents coming and going.
const ALERTING_REASONS = new Set(['credential_revoked', 'bad_frames', 'operator']);
const MAX_EVENTS = 100;

function grantText(grant: Role['grants'][number]): string {
  const { kind, ...rest } = grant;
  const parts = Object.entries(rest).map(
    ([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`,
  );
  return parts.length === 0 ? kind : `${kind} (${parts.join('; ')})`;
}

let received = 0;

function eventOf(name: string, data: unknown): SecurityEvent | undefined {
  const event = data as Record<string, string>;
  received++;
  if (name === 'auth.changed') {
    return {
      id: received,
      at: event.at ?? '',
      what: `key ${event.change}`,
      detail: `API key ${event.keyId}`,
    };
  }
  if (ALERTING_REASONS.has(event.reason ?? '')) {
    return {
      id: received,
      at: event.at ?? new Date().toISOString(),
      what: `agent disconnected: ${event.reason}`,
      detail: `agent ${event.agentId}`,
    };
  }
  return undefined;
}

/** Security: the roles and their grants, revoked and expired keys, and security events live. */
export function SecurityPage() {
  const [roles, setRoles] = useState<Role[] | undefined>(undefined);
  const [ended, setEnded] = useState<RevokedKey[] | undefined>(undefined);
  const [events, setEvents] = useState<SecurityEvent[]>([]);
  const [error, setError] = useState<unknown>(undefined);

  const loadKeys = useCallback(() => {
    api<Page<RevokedKey>>('GET', `/v1/keys${queryOf({ limit: 200, includeRevoked: 'true' })}`).then(
      (page) => setEnded(page.items.filter((key) => key.status !== 'active')),
      setError,
    );
  }, []);
  useEffect(() => {
    api<{ items: Role[] }>('GET', '/v1/roles').then((page) => setRoles(page.items), setError);
    loadKeys();
  }, [loadKeys]);

  const onAuth = useCallback(
    (data: unknown) => {
      const event = eventOf('auth.changed', data);
      if (event !== undefined) setEvents((current) => [event, ...current].slice(0, MAX_EVENTS));
      loadKeys();
    },
    [loadKeys],
  );
  const onDisconnect = useCallback((data: unknown) => {
    const event = eventOf('agent.disconnected', data);
    if (event !== undefined) setEvents((current) => [event, ...current].slice(0, MAX_EVENTS));
  }, []);
  useLive(SECURITY_EVENTS.slice(0, 1), onAuth);
  useLive(SECURITY_EVENTS.slice(1), onDisconnect);

  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      {error !== undefined && <ErrorNote error={error} />}
      <h2>Events since this page opened</h2>
      {events.length === 0 ? (
        <p className="muted">
          None yet: keys created or revoked, and agents cut off for a revoked key, bad frames or by
          an operator, appear here as they happen.
        </p>
      ) : (
        <ul className="compact" aria-label="Security events">
          {events.map((event) => (
            <li key={event.id}>
              <strong>{event.what}</strong> · {event.detail} · {new Date(event.at).toLocaleString()}
            </li>
          ))}
        </ul>
      )}
      <h2>Roles</h2>
      {roles === undefined ? (
        <Loading what="roles" />
      ) : (
        <Table columns={['role', 'grants']}>
          {roles.map((role) => (
            <tr key={role.name}>
              <th scope="row">{role.name}</th>
              <td>
                {role.grants.length === 0
                  ? 'none: acts only as the agent ids its key is bound to'
                  : role.grants.map(grantText).join(' · ')}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Revoked and expired keys</h2>
      {ended === undefined ? (
        <Loading what="keys" />
      ) : ended.length === 0 ? (
        <p className="muted">No key was revoked or has expired.</p>
      ) : (
        <Table columns={['key', 'name', 'status', 'since']}>
          {ended.map((key) => (
            <tr key={key.id}>
              <td>
                <code>{key.id}</code>
              </td>
              <td>{key.name}</td>
              <td>
                <span className="badge bad">{key.status}</span>
              </td>
              <td>{new Date(key.revokedAt ?? key.expiresAt ?? '').toLocaleString()}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
