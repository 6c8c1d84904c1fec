import type { SecurityEvent as StoredSecurityEvent } from '@switchboard/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { SecurityAlerts } from './security-alerts.tsx';
import { SecurityEventLog } from './security-events.tsx';

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

interface Change {
  /** Counts the changes this page received: unique, so a stable list key. */
  id: number;
  at: string;
  what: string;
  detail: string;
}

// Module constants: useLive resubscribes when the array it is given changes.
const AUTH_CHANGES = ['auth.changed'];
const DISCONNECTS = ['agent.disconnected'];
// Disconnects that say something about security, as opposed to agents coming and going.
const ALERTING_REASONS = new Set(['credential_revoked', 'bad_frames', 'operator']);
const MAX_CHANGES = 100;

function grantText(grant: Role['grants'][number]): string {
  const { kind, ...rest } = grant;
  const parts = Object.entries(rest).map(
    ([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`,
  );
  return parts.length === 0 ? kind : `${kind} (${parts.join('; ')})`;
}

let received = 0;

function changeOf(name: string, data: unknown): Change | undefined {
  const event = data as Record<string, string>;
  received++;
  if (name === 'auth.changed') {
    // A key changed, or a role's grants (every credential holding the role is affected).
    const role = event.change === 'role_changed';
    return {
      id: received,
      at: event.at ?? '',
      what: role ? 'role changed' : `key ${event.change}`,
      detail: role ? `role ${event.role}` : `API key ${event.keyId}`,
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

/**
 * Security: the detectors' alerts and the stored security events (`security:read`); key and
 * connection changes live, the roles with their grants, revoked and expired keys (`keys:read`).
 */
export function SecurityPage({
  canReadEvents,
  canReadKeys,
}: {
  canReadEvents: boolean;
  canReadKeys: boolean;
}) {
  const [open, setOpen] = useState<StoredSecurityEvent | undefined>(undefined);
  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      {canReadEvents && (
        <>
          <SecurityAlerts onOpen={setOpen} />
          <SecurityEventLog open={open} onOpen={setOpen} />
        </>
      )}
      {canReadKeys && <KeysAndRoles />}
    </section>
  );
}

/** Key and connection changes live, the roles and their grants, revoked and expired keys. */
function KeysAndRoles() {
  const [roles, setRoles] = useState<Role[] | undefined>(undefined);
  const [ended, setEnded] = useState<RevokedKey[] | undefined>(undefined);
  const [changes, setChanges] = useState<Change[]>([]);
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
      const change = changeOf('auth.changed', data);
      if (change !== undefined) setChanges((current) => [change, ...current].slice(0, MAX_CHANGES));
      loadKeys();
    },
    [loadKeys],
  );
  const onDisconnect = useCallback((data: unknown) => {
    const change = changeOf('agent.disconnected', data);
    if (change !== undefined) setChanges((current) => [change, ...current].slice(0, MAX_CHANGES));
  }, []);
  useLive(AUTH_CHANGES, onAuth);
  useLive(DISCONNECTS, onDisconnect);

  return (
    <>
      {error !== undefined && <ErrorNote error={error} />}
      <h2>Key and connection changes since this page opened</h2>
      {changes.length === 0 ? (
        <p className="muted">
          None yet: keys created or revoked, and agents cut off for a revoked key, bad frames or by
          an operator, appear here as they happen.
        </p>
      ) : (
        <ul className="compact" aria-label="Key and connection changes">
          {changes.map((change) => (
            <li key={change.id}>
              <strong>{change.what}</strong> · {change.detail} ·{' '}
              {new Date(change.at).toLocaleString()}
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
    </>
  );
}
