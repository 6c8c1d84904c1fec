import type { DeadLetter } from '@switchboard/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

const DEAD_LETTER_EVENTS = ['router.dead_letter'];

/** Dead letters: list with cause, inspect, replay or purge a selection (with confirmation). */
export function DeadLettersPage({ canWrite }: { canWrite: boolean }) {
  const [letters, setLetters] = useState<DeadLetter[] | undefined>(undefined);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<Page<DeadLetter>>('GET', `/v1/dead-letters${queryOf({ limit: 200 })}`).then((page) => {
      setLetters(page.items);
      setChosen(
        (current) =>
          new Set(page.items.filter((item) => current.has(item.id)).map((item) => item.id)),
      );
    }, setError);
  }, []);
  useEffect(load, [load]);
  useLive(DEAD_LETTER_EVENTS, load);

  const act = (action: 'replay' | 'purge') => {
    const ids = [...chosen];
    setError(undefined);
    api<{ replayed?: number; purged?: number }>('POST', `/v1/dead-letters/${action}`, { ids }).then(
      (result) => {
        setNotice(
          action === 'replay'
            ? `Replayed ${result.replayed ?? 0}: they are queued for delivery again`
            : `Purged ${result.purged ?? 0}`,
        );
        setChosen(new Set());
        load();
      },
      setError,
    );
  };

  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };

  return (
    <section aria-labelledby="dead-letters-title">
      <h1 id="dead-letters-title">Dead letters</h1>
      {canWrite && (
        <div className="row">
          <ConfirmButton
            label={`Replay ${chosen.size} selected`}
            question={`Queue the ${chosen.size} selected deliveries again, with fresh attempts?`}
            confirmLabel="Replay"
            disabled={chosen.size === 0}
            onConfirm={() => act('replay')}
          />
          <ConfirmButton
            label={`Purge ${chosen.size} selected`}
            question={`Delete the ${chosen.size} selected dead letters for good? This cannot be undone.`}
            confirmLabel="Purge"
            danger
            disabled={chosen.size === 0}
            onConfirm={() => act('purge')}
          />
        </div>
      )}
      {notice !== undefined && (
        <p className="note" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNote error={error} />}
      {letters === undefined ? (
        <Loading what="dead letters" />
      ) : letters.length === 0 ? (
        <Empty>No dead letters: every delivery was acked in time.</Empty>
      ) : (
        <Table
          columns={[
            canWrite && 'select',
            'delivery',
            'recipient',
            'cause',
            'attempts',
            'dead since',
          ]}
        >
          {letters.map((letter) => (
            <tr key={letter.id}>
              {canWrite && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`select dead letter ${letter.id}`}
                    checked={chosen.has(letter.id)}
                    onChange={() => toggle(letter.id)}
                  />
                </td>
              )}
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setOpen(open === letter.id ? undefined : letter.id)}
                >
                  {letter.id}
                </button>
                {open === letter.id && <pre>{JSON.stringify(letter.message.payload, null, 2)}</pre>}
              </td>
              <td>{letter.agentId}</td>
              <td>
                {letter.reason}
                {letter.lastError !== null &&
                  `: ${letter.lastError.code} ${letter.lastError.message}`}
              </td>
              <td>{letter.attempts}</td>
              <td>{new Date(letter.deadAt).toLocaleString()}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
