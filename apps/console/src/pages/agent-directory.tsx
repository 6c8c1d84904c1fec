import type { DirectoryEntry } from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, queryOf } from '../api/client.ts';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

/** The badge tone of a status: a peer's health, or a local agent's connection. */
export const STATUS_TONE: Record<string, string> = {
  up: 'good',
  connected: 'good',
  degraded: 'warn',
  down: 'bad',
};

interface Filters {
  q: string;
  skill: string;
  tag: string;
  status: string;
  kind: string;
}

const NO_FILTERS: Filters = { q: '', skill: '', tag: '', status: '', kind: '' };

/**
 * The directory of the agents known here: local ones published over A2A and remote peers,
 * searched by words, skill, tag, status and kind (the search runs when the form is submitted).
 */
export function AgentDirectory() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [entries, setEntries] = useState<DirectoryEntry[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const search = useCallback((applied: Filters) => {
    setError(undefined);
    api<{ items: DirectoryEntry[] }>('GET', `/v1/a2a/directory${queryOf({ ...applied })}`).then(
      (page) => setEntries(page.items),
      setError,
    );
  }, []);
  useEffect(() => search(NO_FILTERS), [search]);

  const field = (key: keyof Filters) => ({
    value: filters[key],
    onChange: (event: { target: { value: string } }) =>
      setFilters((current) => ({ ...current, [key]: event.target.value })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    search(filters);
  };

  return (
    <>
      <h2 id="directory-title">Directory</h2>
      <form className="filters" onSubmit={submit} aria-labelledby="directory-title">
        <label>
          Words <input type="search" {...field('q')} />
        </label>
        <label>
          Skill <input {...field('skill')} />
        </label>
        <label>
          Tag <input {...field('tag')} />
        </label>
        <label>
          Status{' '}
          <select {...field('status')}>
            <option value="">any</option>
            <option value="connected">connected (local)</option>
            <option value="disconnected">disconnected (local)</option>
            <option value="up">up (remote)</option>
            <option value="degraded">degraded (remote)</option>
            <option value="down">down (remote)</option>
            <option value="unknown">unknown (remote)</option>
          </select>
        </label>
        <label>
          Kind{' '}
          <select {...field('kind')}>
            <option value="">local and remote</option>
            <option value="local">local</option>
            <option value="remote">remote</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {error !== undefined && <ErrorNote error={error} what="The directory could not be read" />}
      {entries === undefined ? (
        error === undefined && <Loading what="the directory" />
      ) : entries.length === 0 ? (
        <Empty>
          No agent matches. Local agents appear here when they register with the label{' '}
          <code>a2a=public</code>; remote ones once added as peers.
        </Empty>
      ) : (
        <Table columns={['address', 'kind', 'status', 'name', 'skills', 'description']}>
          {entries.map((entry) => (
            <tr key={entry.address}>
              <th scope="row">
                <code>{entry.address}</code>
              </th>
              <td>{entry.kind}</td>
              <td>
                <span className={`badge ${STATUS_TONE[entry.status] ?? 'idle'}`}>
                  {entry.status}
                </span>
              </td>
              <td>{entry.name}</td>
              <td>{entry.skills.map((skill) => skill.id).join(', ') || '–'}</td>
              <td>{entry.description || '–'}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
