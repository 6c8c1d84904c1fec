import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

interface ApiKey {
  id: string;
  name: string;
  status: 'active' | 'revoked' | 'expired';
  agentIds: string[];
  roles: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
}

const ROLES = ['admin', 'observer', 'agent'];

function CreateKey({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('observer');
  const [agentIds, setAgentIds] = useState('');
  const [token, setToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const ids = agentIds
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    api<{ token: string }>('POST', '/v1/keys', { name, roles: [role], agentIds: ids }).then(
      (created) => {
        setToken(created.token);
        setName('');
        onCreated();
      },
      setError,
    );
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <label>
        Name <input required value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        Role{' '}
        <select value={role} onChange={(event) => setRole(event.target.value)}>
          {ROLES.map((item) => (
            <option key={item}>{item}</option>
          ))}
        </select>
      </label>
      <label>
        <span>
          Agent ids (comma-separated; <code>*</code>: any)
        </span>
        <input value={agentIds} onChange={(event) => setAgentIds(event.target.value)} />
      </label>
      <button type="submit" className="primary">
        Create
      </button>
      {error !== undefined && <ErrorNote error={error} what="The key was not created" />}
      {token !== undefined && (
        <div className="note" role="status">
          <strong>Copy the new key now: it is shown only once.</strong>
          <pre className="secret" data-testid="new-key">
            {token}
          </pre>
        </div>
      )}
    </form>
  );
}

/** API keys: list, create (shown once), revoke. */
export function KeysPage({ canWrite }: { canWrite: boolean }) {
  const [keys, setKeys] = useState<ApiKey[] | undefined>(undefined);
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<Page<ApiKey>>(
      'GET',
      `/v1/keys${queryOf({ limit: 200, includeRevoked: String(includeRevoked) })}`,
    ).then((page) => setKeys(page.items), setError);
  }, [includeRevoked]);
  useEffect(load, [load]);

  const revoke = (id: string) => {
    api('DELETE', `/v1/keys/${encodeURIComponent(id)}`).then(load, setError);
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      {canWrite && <CreateKey onCreated={load} />}
      <label className="inline">
        <input
          type="checkbox"
          checked={includeRevoked}
          onChange={(event) => setIncludeRevoked(event.target.checked)}
        />{' '}
        Show revoked keys
      </label>
      {error !== undefined && <ErrorNote error={error} />}
      {keys === undefined ? (
        <Loading what="keys" />
      ) : keys.length === 0 ? (
        <Empty>No API keys yet besides the bootstrap key.</Empty>
      ) : (
        <Table
          columns={['id', 'name', 'roles', 'agents', 'status', 'created', canWrite && 'action']}
        >
          {keys.map((key) => (
            <tr key={key.id}>
              <td>
                <code>{key.id}</code>
              </td>
              <td>{key.name}</td>
              <td>{key.roles.join(', ')}</td>
              <td>{key.agentIds.join(', ') || '–'}</td>
              <td>
                <span className={`badge ${key.status === 'active' ? 'good' : 'bad'}`}>
                  {key.status}
                </span>
              </td>
              <td>{new Date(key.createdAt).toLocaleString()}</td>
              {canWrite && (
                <td>
                  {key.status === 'active' && (
                    <ConfirmButton
                      label={`Revoke ${key.id}`}
                      question={`Revoke ${key.name} (${key.id})? Agents and sessions using it are cut off at once.`}
                      confirmLabel="Revoke"
                      danger
                      onConfirm={() => revoke(key.id)}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
