import type { DeliveryRecord, MessageRecord, SendResult } from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

type MessageDetail = MessageRecord & { deliveries: DeliveryRecord[] };

function targetOf(message: MessageRecord): string {
  const to = message.to;
  switch (to.kind) {
    case 'agent':
      return `agent ${to.agentId}`;
    case 'topic':
      return `topic ${to.topic}`;
    default:
      return to.kind;
  }
}

function SendTestMessage({ onSent }: { onSent: () => void }) {
  const [kind, setKind] = useState<'agent' | 'topic'>('agent');
  const [target, setTarget] = useState('');
  const [payload, setPayload] = useState('{"hello": "from the console"}');
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const send = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      setError(new Error('the payload must be JSON'));
      return;
    }
    const to = kind === 'agent' ? { kind, agentId: target } : { kind, topic: target };
    api<SendResult>('POST', '/v1/messages', { to, payload: body }).then((sent) => {
      setResult(`Accepted ${sent.messageId} for ${sent.recipients} recipient(s)`);
      onSent();
    }, setError);
  };

  return (
    <form className="card" onSubmit={send} aria-labelledby="send-title">
      <h2 id="send-title">Send a test message</h2>
      <label>
        To{' '}
        <select value={kind} onChange={(event) => setKind(event.target.value as 'agent' | 'topic')}>
          <option value="agent">agent</option>
          <option value="topic">topic</option>
        </select>
      </label>
      <label>
        {kind === 'agent' ? 'Agent id' : 'Topic'}{' '}
        <input required value={target} onChange={(event) => setTarget(event.target.value)} />
      </label>
      <label>
        Payload (JSON){' '}
        <textarea value={payload} onChange={(event) => setPayload(event.target.value)} rows={3} />
      </label>
      <button type="submit" className="primary">
        Send
      </button>
      {result !== undefined && (
        <p className="note" role="status">
          {result}
        </p>
      )}
      {error !== undefined && <ErrorNote error={error} what="Not sent" />}
    </form>
  );
}

function Detail({ id }: { id: string }) {
  const [message, setMessage] = useState<MessageDetail | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    api<MessageDetail>('GET', `/v1/messages/${encodeURIComponent(id)}`).then(setMessage, setError);
  }, [id]);
  if (error !== undefined) return <ErrorNote error={error} />;
  if (message === undefined) return <Loading what="the message" />;
  return (
    <aside className="panel" aria-labelledby="message-title">
      <h2 id="message-title">Message {message.id}</h2>
      <pre>{JSON.stringify(message.payload, null, 2)}</pre>
      <h3>Deliveries</h3>
      <Table columns={['recipient', 'status', 'attempts', 'last error']}>
        {message.deliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td>{delivery.agentId}</td>
            <td>{delivery.status}</td>
            <td>{delivery.attempts}</td>
            <td>{delivery.lastError?.message ?? '–'}</td>
          </tr>
        ))}
      </Table>
    </aside>
  );
}

/** Messages: history search, a message with its deliveries, and a test send. */
export function MessagesPage({ canWrite }: { canWrite: boolean }) {
  const [filters, setFilters] = useState({ agent: '', topic: '', conversation: '' });
  const [messages, setMessages] = useState<MessageRecord[] | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    setError(undefined);
    api<Page<MessageRecord>>('GET', `/v1/messages${queryOf({ ...filters, limit: 100 })}`).then(
      (page) => setMessages(page.items),
      setError,
    );
  }, [filters]);
  useEffect(load, [load]);

  const field = (name: keyof typeof filters, label: string) => (
    <label>
      {label}{' '}
      <input
        value={filters[name]}
        onChange={(event) => setFilters({ ...filters, [name]: event.target.value })}
      />
    </label>
  );

  return (
    <section aria-labelledby="messages-title">
      <h1 id="messages-title">Messages</h1>
      {canWrite && <SendTestMessage onSent={load} />}
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        {field('agent', 'Agent')}
        {field('topic', 'Topic')}
        {field('conversation', 'Conversation')}
      </form>
      {error !== undefined && <ErrorNote error={error} what="The history could not be read" />}
      {messages === undefined ? (
        <Loading what="messages" />
      ) : messages.length === 0 ? (
        <Empty>No message matches.</Empty>
      ) : (
        <div className="split">
          <Table columns={['id', 'from', 'to', 'recipients', 'accepted']}>
            {messages.map((message) => (
              <tr key={message.id} className={message.id === selected ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(message.id)}>
                    {message.id}
                  </button>
                </td>
                <td>{message.from ?? message.sentBy}</td>
                <td>{targetOf(message)}</td>
                <td>{message.recipients}</td>
                <td>{new Date(message.acceptedAt).toLocaleString()}</td>
              </tr>
            ))}
          </Table>
          {selected !== undefined && <Detail id={selected} />}
        </div>
      )}
    </section>
  );
}
