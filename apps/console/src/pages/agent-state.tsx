import { useEffect, useState } from 'react';
import { api, queryOf } from '../api/client.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { diffJson } from '../domain/json-diff.ts';

interface LifecycleEntry {
  version: number;
  from: string;
  to: string;
  reason: string | null;
  at: string;
  by: string;
}

interface StateVersion {
  version: number;
  op: string;
  document: unknown;
  at: string;
  by: string;
}

/** An agent's lifecycle transitions, newest first (the state service owns them). */
export function LifecycleHistory({ agentId }: { agentId: string }) {
  const [items, setItems] = useState<LifecycleEntry[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    setItems(undefined);
    api<{ items: LifecycleEntry[] }>(
      'GET',
      `/v1/agents/${encodeURIComponent(agentId)}/lifecycle/history${queryOf({ limit: 20 })}`,
    ).then((page) => setItems(page.items), setError);
  }, [agentId]);
  if (error !== undefined) return <ErrorNote error={error} what="No lifecycle history" />;
  if (items === undefined) return <Loading what="the lifecycle" />;
  if (items.length === 0) return <p className="muted">No transition recorded yet.</p>;
  return (
    <ol className="compact">
      {items.map((item) => (
        <li key={item.version}>
          {item.from} → <strong>{item.to}</strong> · {new Date(item.at).toLocaleString()}
          {item.reason !== null && ` · ${item.reason}`}
        </li>
      ))}
    </ol>
  );
}

function VersionDiff({ versions }: { versions: StateVersion[] }) {
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0]?.version);
  const [to, setTo] = useState(versions[0]?.version);
  const before = versions.find((item) => item.version === from);
  const after = versions.find((item) => item.version === to);
  const changes = before && after ? diffJson(before.document, after.document) : [];
  const choose = (label: string, value: number | undefined, set: (version: number) => void) => (
    <label>
      {label}{' '}
      <select value={value} onChange={(event) => set(Number(event.target.value))}>
        {versions.map((item) => (
          <option key={item.version} value={item.version}>
            v{item.version} ({item.op}, {new Date(item.at).toLocaleTimeString()})
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div>
      <div className="row">
        {choose('From', from, setFrom)}
        {choose('To', to, setTo)}
      </div>
      {after !== undefined && <pre>{JSON.stringify(after.document, null, 2)}</pre>}
      {changes.length === 0 ? (
        <p className="muted">No difference between these versions.</p>
      ) : (
        <ul className="diff" aria-label="Differences">
          {changes.map((change) => (
            <li key={change.path} className={change.kind}>
              <code>{change.path}</code> {change.kind}
              {change.kind !== 'added' && (
                <>
                  {' '}
                  from <code>{JSON.stringify(change.before)}</code>
                </>
              )}
              {change.kind !== 'removed' && (
                <>
                  {' '}
                  to <code>{JSON.stringify(change.after)}</code>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The agent's own state (`agent:<id>`): its keys, a key's versions and the diff of two. */
export function AgentState({ agentId }: { agentId: string }) {
  const scope = encodeURIComponent(`agent:${agentId}`);
  const [keys, setKeys] = useState<Array<{ key: string; version: number }> | undefined>(undefined);
  const [key, setKey] = useState<string | undefined>(undefined);
  const [versions, setVersions] = useState<StateVersion[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    setKeys(undefined);
    setKey(undefined);
    setError(undefined);
    api<{ items: Array<{ key: string; version: number }> }>('GET', `/v1/state/${scope}`).then(
      (summary) => setKeys(summary.items),
      setError,
    );
  }, [scope]);
  useEffect(() => {
    setVersions(undefined);
    if (key === undefined) return;
    api<{ items: StateVersion[] }>(
      'GET',
      `/v1/state/${scope}/${encodeURIComponent(key)}/history${queryOf({ limit: 20 })}`,
    ).then((page) => setVersions(page.items), setError);
  }, [scope, key]);

  if (error !== undefined) return <ErrorNote error={error} what="The state could not be read" />;
  if (keys === undefined) return <Loading what="the state" />;
  if (keys.length === 0) return <p className="muted">The agent keeps no state.</p>;
  return (
    <div>
      <ul className="compact">
        {keys.map((item) => (
          <li key={item.key}>
            <button type="button" className="link" onClick={() => setKey(item.key)}>
              {item.key}
            </button>{' '}
            v{item.version}
          </li>
        ))}
      </ul>
      {key !== undefined &&
        (versions === undefined ? (
          <Loading what="the versions" />
        ) : (
          <VersionDiff key={key} versions={versions} />
        ))}
    </div>
  );
}
