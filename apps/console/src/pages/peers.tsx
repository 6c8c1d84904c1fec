import type { PeerRecord } from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { AgentDirectory, STATUS_TONE } from './agent-directory.tsx';

const PEER_EVENTS = ['a2a.peer'];

const when = (iso: string | null) => (iso === null ? '–' : new Date(iso).toLocaleString());
const latency = (ms: number | null) => (ms === null ? '–' : `${Math.round(ms)} ms`);

function AddPeer({ onAdded }: { onAdded: (peer: PeerRecord) => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [publishTools, setPublishTools] = useState(false);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setAdding(true);
    api<PeerRecord>('POST', '/v1/a2a/peers', {
      name,
      url,
      ...(token === '' ? {} : { token }),
      publishTools,
    })
      .then((peer) => {
        setName('');
        setUrl('');
        setToken('');
        setPublishTools(false);
        onAdded(peer);
      }, setError)
      .finally(() => setAdding(false));
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-peer-title">
      <h2 id="add-peer-title">Add a peer</h2>
      <label>
        Name
        <input
          required
          value={name}
          pattern="[a-z0-9][a-z0-9._\-]*"
          title="lowercase letters, digits and . _ - (not first)"
          onChange={(event) => setName(event.target.value)}
          placeholder="acme"
        />
      </label>
      <label>
        Card or base URL
        <input
          required
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://agents.acme.example"
        />
      </label>
      <label>
        Bearer token (optional)
        <input
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={publishTools}
          onChange={(event) => setPublishTools(event.target.checked)}
        />{' '}
        Publish its skills as tools
      </label>
      <button type="submit" className="primary" disabled={adding}>
        {adding ? 'Adding…' : 'Add peer'}
      </button>
      {error !== undefined && <ErrorNote error={error} what="The peer was not added" />}
    </form>
  );
}

function PeerDetail(props: { peer: PeerRecord; canWrite: boolean; onRemove: () => void }) {
  const { peer } = props;
  return (
    <aside className="panel" aria-labelledby="peer-detail-title">
      <h2 id="peer-detail-title">{peer.agentName}</h2>
      <dl>
        <dt>peer</dt>
        <dd>
          <code>{peer.name}</code> (send to <code>a2a:{peer.name}</code>)
        </dd>
        <dt>version</dt>
        <dd>{peer.version}</dd>
        <dt>description</dt>
        <dd>{peer.description || '–'}</dd>
        <dt>card</dt>
        <dd>
          <code>{peer.cardUrl}</code>
        </dd>
        <dt>signature</dt>
        <dd>
          <span className={`badge ${peer.signature === 'verified' ? 'good' : 'warn'}`}>
            {peer.signature}
          </span>
        </dd>
        <dt>endpoint</dt>
        <dd>
          <code>{peer.endpoint}</code>
        </dd>
        <dt>streaming</dt>
        <dd>{peer.streaming ? 'yes' : 'no'}</dd>
        <dt>last error</dt>
        <dd>{peer.lastError ?? '–'}</dd>
        <dt>card fetched</dt>
        <dd>{when(peer.cardFetchedAt)}</dd>
        <dt>tools</dt>
        <dd>{peer.publishTools ? `published as a2a.${peer.name}.<skill>` : 'not published'}</dd>
        <dt>added</dt>
        <dd>
          {when(peer.addedAt)} by {peer.addedBy}
        </dd>
      </dl>
      <h3>Skills</h3>
      {peer.skills.length === 0 ? (
        <p className="muted">Its card lists no skill.</p>
      ) : (
        <ul>
          {peer.skills.map((skill) => (
            <li key={skill.id}>
              <strong>{skill.name}</strong> <code>{skill.id}</code>: {skill.description}
              {skill.tags.length > 0 && <span className="muted"> ({skill.tags.join(', ')})</span>}
            </li>
          ))}
        </ul>
      )}
      {props.canWrite && (
        <ConfirmButton
          label={`Remove ${peer.name}`}
          question={`Remove the peer ${peer.name}? Agents can no longer send to a2a:${peer.name}; its remote tasks stay readable.`}
          confirmLabel="Remove"
          danger
          onConfirm={props.onRemove}
        />
      )}
    </aside>
  );
}

/** A2A peers: remote agents with their health and cards, live; add and remove; the directory. */
export function PeersPage({ canWrite }: { canWrite: boolean }) {
  const [peers, setPeers] = useState<PeerRecord[] | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<{ items: PeerRecord[] }>('GET', '/v1/a2a/peers').then((page) => {
      setError(undefined);
      setPeers(page.items);
    }, setError);
  }, []);
  useEffect(load, [load]);
  // Every change (added, removed, a status from the health checks) reloads the list, so the
  // latency and last-seen times shown are those of the same check.
  useLive(PEER_EVENTS, load);

  const remove = (name: string) => {
    api<{ removed: boolean }>('DELETE', `/v1/a2a/peers/${encodeURIComponent(name)}`).then(() => {
      setNotice(`Removed ${name}`);
      setSelected(undefined);
      load();
    }, setError);
  };
  const detail = peers?.find((peer) => peer.name === selected);

  return (
    <section aria-labelledby="peers-title">
      <h1 id="peers-title">A2A peers</h1>
      {canWrite && (
        <AddPeer
          onAdded={(peer) => {
            setNotice(`Added ${peer.name} (${peer.agentName}, ${peer.status})`);
            setSelected(peer.name);
            load();
          }}
        />
      )}
      {notice !== undefined && (
        <p className="note" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNote error={error} what="The peers could not be read" />}
      {peers === undefined ? (
        error === undefined && <Loading what="peers" />
      ) : peers.length === 0 ? (
        <Empty>
          No peer yet. Add a remote A2A agent by the URL of its Agent Card; local agents then reach
          it as <code>a2a:&lt;name&gt;</code>.
        </Empty>
      ) : (
        <div className="split">
          <Table columns={['peer', 'status', 'latency', 'last seen', 'card', 'skills']}>
            {peers.map((peer) => (
              <tr key={peer.name} className={peer.name === selected ? 'selected' : undefined}>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={peer.name === selected}
                    onClick={() => setSelected(peer.name)}
                  >
                    {peer.name}
                  </button>
                </td>
                <td>
                  <span className={`badge ${STATUS_TONE[peer.status] ?? 'idle'}`}>
                    {peer.status}
                  </span>
                </td>
                <td>{latency(peer.latencyMs)}</td>
                <td>{when(peer.lastSeenAt)}</td>
                <td>{peer.signature}</td>
                <td>{peer.skills.map((skill) => skill.id).join(', ') || '–'}</td>
              </tr>
            ))}
          </Table>
          {detail !== undefined && (
            <PeerDetail peer={detail} canWrite={canWrite} onRemove={() => remove(detail.name)} />
          )}
        </div>
      )}
      <AgentDirectory />
    </section>
  );
}
