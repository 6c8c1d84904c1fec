import type {
  ToolAuditRecord,
  ToolFigures,
  ToolRecord,
  UpstreamServer,
} from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

const HEALTH_TONE: Record<string, string> = { healthy: 'good', degraded: 'warn', failing: 'bad' };

const ms = (value: number | null) => (value === null ? '–' : value.toFixed(1));

function ImportServer({ onImported }: { onImported: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    api<{ tools: unknown[] }>('POST', '/v1/tools/import', { name, url }).then((imported) => {
      setNotice(`Imported ${imported.tools.length} tool(s) from ${name}`);
      onImported();
    }, setError);
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="import-title">
      <h2 id="import-title">Import an upstream MCP server</h2>
      <label>
        Name
        <input required value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        URL (Streamable HTTP)
        <input
          required
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://mcp.example.org/mcp"
        />
      </label>
      <button type="submit" className="primary">
        Import
      </button>
      {notice !== undefined && (
        <p className="note" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNote error={error} what="Not imported" />}
    </form>
  );
}

/** Tools: the catalog with versions, deprecation, health and latency; the audit trail; imports. */
export function ToolsPage({ canWrite }: { canWrite: boolean }) {
  const [tools, setTools] = useState<ToolRecord[] | undefined>(undefined);
  const [figures, setFigures] = useState<Map<string, ToolFigures>>(new Map());
  const [audit, setAudit] = useState<ToolAuditRecord[]>([]);
  const [upstreams, setUpstreams] = useState<UpstreamServer[]>([]);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<Page<ToolRecord>>('GET', `/v1/tools${queryOf({ limit: 200 })}`).then(
      (page) => setTools(page.items),
      setError,
    );
    api<{ items: ToolFigures[] }>('GET', '/v1/tools/figures').then(
      (page) =>
        setFigures(new Map(page.items.map((item) => [`${item.name}@${item.version}`, item]))),
      setError,
    );
    api<Page<ToolAuditRecord>>('GET', `/v1/tools/audit${queryOf({ limit: 50 })}`).then(
      (page) => setAudit(page.items),
      setError,
    );
    api<{ items: UpstreamServer[] }>('GET', '/v1/tools/upstreams').then(
      (page) => setUpstreams(page.items),
      setError,
    );
  }, []);
  useEffect(load, [load]);

  const deprecate = (tool: ToolRecord) => {
    const path = `/v1/tools/${encodeURIComponent(tool.name)}/versions/${encodeURIComponent(tool.version)}/deprecate`;
    api('POST', path, { reason: 'deprecated from the console' }).then(load, setError);
  };

  return (
    <section aria-labelledby="tools-title">
      <h1 id="tools-title">Tools</h1>
      {error !== undefined && <ErrorNote error={error} />}
      {tools === undefined ? (
        <Loading what="tools" />
      ) : tools.length === 0 ? (
        <Empty>No tool yet: agents provide tools with client.tools.provide().</Empty>
      ) : (
        <Table
          columns={[
            'tool',
            'version',
            'status',
            'providers',
            'health',
            'calls',
            'errors',
            'p50 ms',
            'p99 ms',
            canWrite && 'action',
          ]}
        >
          {tools.map((tool) => {
            const figure = figures.get(`${tool.name}@${tool.version}`);
            return (
              <tr key={`${tool.name}@${tool.version}`}>
                <th scope="row">{tool.name}</th>
                <td>{tool.version}</td>
                <td>
                  <span className={`badge ${tool.status === 'active' ? 'good' : 'warn'}`}>
                    {tool.status}
                  </span>
                </td>
                <td>{tool.providers.length}</td>
                <td>
                  {figure === undefined ? (
                    '–'
                  ) : (
                    <span className={`badge ${HEALTH_TONE[figure.health] ?? 'idle'}`}>
                      {figure.health}
                    </span>
                  )}
                </td>
                <td>{figure?.calls ?? 0}</td>
                <td>{figure?.errors ?? 0}</td>
                <td>{ms(figure?.p50Ms ?? null)}</td>
                <td>{ms(figure?.p99Ms ?? null)}</td>
                {canWrite && (
                  <td>
                    {tool.status === 'active' && (
                      <ConfirmButton
                        label={`Deprecate ${tool.name}@${tool.version}`}
                        question={`Deprecate ${tool.name}@${tool.version}? Callers keep it only by naming this version.`}
                        confirmLabel="Deprecate"
                        onConfirm={() => deprecate(tool)}
                      />
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </Table>
      )}
      <h2>Audit trail</h2>
      {audit.length === 0 ? (
        <p className="muted">No call yet.</p>
      ) : (
        <Table columns={['at', 'caller', 'tool', 'provider', 'outcome', 'ms']}>
          {audit.map((entry) => (
            <tr key={entry.id}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td>{entry.caller}</td>
              <td>
                {entry.name}@{entry.version ?? '?'}
              </td>
              <td>{entry.provider ?? '–'}</td>
              <td>
                <span className={`badge ${entry.outcome === 'ok' ? 'good' : 'bad'}`}>
                  {entry.outcome}
                </span>
                {entry.errorCode !== null && ` ${entry.errorCode}`}
              </td>
              <td>{entry.durationMs.toFixed(1)}</td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Upstream MCP servers</h2>
      {canWrite && <ImportServer onImported={load} />}
      {upstreams.length === 0 ? (
        <p className="muted">No upstream server imported.</p>
      ) : (
        <Table columns={['server', 'url', 'revision', 'tools', 'last sync', 'last error']}>
          {upstreams.map((server) => (
            <tr key={server.name}>
              <th scope="row">{server.name}</th>
              <td>
                <code>{server.url}</code>
              </td>
              <td>{server.protocolVersion ?? '–'}</td>
              <td>{server.toolCount}</td>
              <td>
                {server.lastSyncedAt === null
                  ? '–'
                  : new Date(server.lastSyncedAt).toLocaleString()}
              </td>
              <td>{server.lastError ?? '–'}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
