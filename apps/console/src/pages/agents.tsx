import type { AgentRecord, MessageRecord, Subscription } from '@switchboard/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { AgentState, LifecycleHistory } from './agent-state.tsx';

const AGENT_EVENTS = ['agent.connected', 'agent.disconnected'];

function when(iso: string | null): string {
  return iso === null ? '–' : new Date(iso).toLocaleString();
}

function AgentDetail({ agent, canWrite }: { agent: AgentRecord; canWrite: boolean }) {
  const [subscriptions, setSubscriptions] = useState<Subscription[] | undefined>(undefined);
  const [messages, setMessages] = useState<MessageRecord[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  useEffect(() => {
    setError(undefined);
    const id = encodeURIComponent(agent.id);
    api<{ items: Subscription[] }>('GET', `/v1/agents/${id}/subscriptions`).then(
      (page) => setSubscriptions(page.items),
      setError,
    );
    api<Page<MessageRecord>>('GET', `/v1/messages${queryOf({ agent: agent.id, limit: 10 })}`).then(
      (page) => setMessages(page.items),
      setError,
    );
  }, [agent.id]);

  const disconnect = () => {
    api('POST', `/v1/agents/${encodeURIComponent(agent.id)}/disconnect`, {}).then(
      () => setNotice(`${agent.id} was disconnected`),
      setError,
    );
  };

  return (
    <aside className="panel" aria-labelledby="agent-detail-title">
      <h2 id="agent-detail-title">{agent.name}</h2>
      <dl>
        <dt>id</dt>
        <dd>
          <code>{agent.id}</code>
        </dd>
        <dt>version</dt>
        <dd>{agent.version}</dd>
        <dt>status</dt>
        <dd>
          {agent.status}
          {agent.disconnectReason !== null && ` (${agent.disconnectReason})`}
        </dd>
        <dt>connected at</dt>
        <dd>{when(agent.connectedAt)}</dd>
        <dt>disconnected at</dt>
        <dd>{when(agent.disconnectedAt)}</dd>
        <dt>capabilities</dt>
        <dd>{agent.capabilities.map((capability) => capability.name).join(', ') || '–'}</dd>
        <dt>labels</dt>
        <dd>
          {Object.entries(agent.labels)
            .map(([key, value]) => `${key}=${value}`)
            .join(', ') || '–'}
        </dd>
      </dl>
      {canWrite && agent.status === 'connected' && (
        <ConfirmButton
          label="Disconnect"
          question={`Close the connection of ${agent.id}? Its SDK reconnects unless it was stopped.`}
          confirmLabel="Disconnect"
          danger
          onConfirm={disconnect}
        />
      )}
      {notice !== undefined && (
        <p className="note" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNote error={error} />}
      <h3>Lifecycle</h3>
      <LifecycleHistory agentId={agent.id} />
      <h3>State</h3>
      <AgentState agentId={agent.id} />
      <h3>Subscriptions</h3>
      {subscriptions === undefined ? (
        <Loading what="subscriptions" />
      ) : subscriptions.length === 0 ? (
        <p className="muted">No topic subscriptions.</p>
      ) : (
        <ul>
          {subscriptions.map((subscription) => (
            <li key={subscription.pattern}>
              <code>{subscription.pattern}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>Recent messages</h3>
      {messages === undefined ? (
        <Loading what="messages" />
      ) : messages.length === 0 ? (
        <p className="muted">No messages sent or received yet.</p>
      ) : (
        <ul>
          {messages.map((message) => (
            <li key={message.id}>
              <code>{message.id.slice(-8)}</code> {message.from ?? message.sentBy} →{' '}
              {message.topic ?? message.to.kind} · {when(message.acceptedAt)}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** Agents: the catalog, searchable and live, with each agent's detail. */
export function AgentsPage({ canWrite }: { canWrite: boolean }) {
  const [status, setStatus] = useState('');
  const [capability, setCapability] = useState('');
  const [search, setSearch] = useState('');
  const [agents, setAgents] = useState<AgentRecord[] | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<Page<AgentRecord>>('GET', `/v1/agents${queryOf({ status, capability, limit: 200 })}`).then(
      (page) => {
        setAgents(page.items);
        setError(undefined);
      },
      setError,
    );
  }, [status, capability]);
  useEffect(load, [load]);
  useLive(AGENT_EVENTS, load);

  const needle = search.trim().toLowerCase();
  const shown = (agents ?? []).filter(
    (agent) =>
      needle === '' ||
      agent.id.toLowerCase().includes(needle) ||
      agent.name.toLowerCase().includes(needle),
  );
  const detail = agents?.find((agent) => agent.id === selected);

  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search <input value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">any</option>
            <option value="connected">connected</option>
            <option value="disconnected">disconnected</option>
          </select>
        </label>
        <label>
          Capability{' '}
          <input value={capability} onChange={(event) => setCapability(event.target.value)} />
        </label>
      </form>
      {error !== undefined && <ErrorNote error={error} what="The agents could not be listed" />}
      {agents === undefined ? (
        <Loading what="agents" />
      ) : shown.length === 0 ? (
        <Empty>
          No agent matches. Agents appear here as soon as they connect with the SDK (
          <code>connect(&#123; url, token, agent &#125;)</code>).
        </Empty>
      ) : (
        <div className="split">
          <Table columns={['id', 'name', 'status', 'capabilities']}>
            {shown.map((agent) => (
              <tr key={agent.id} className={agent.id === selected ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(agent.id)}>
                    {agent.id}
                  </button>
                </td>
                <td>{agent.name}</td>
                <td>
                  <span className={`badge ${agent.status === 'connected' ? 'good' : 'idle'}`}>
                    {agent.status}
                  </span>
                </td>
                <td>{agent.capabilities.map((item) => item.name).join(', ')}</td>
              </tr>
            ))}
          </Table>
          {detail !== undefined && <AgentDetail agent={detail} canWrite={canWrite} />}
        </div>
      )}
    </section>
  );
}
