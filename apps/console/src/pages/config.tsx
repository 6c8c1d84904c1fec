import type { SettingReport } from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

const SERVICES = ['gateway', 'router', 'state', 'tasks', 'tools', 'a2a'];

function OverrideForm(props: { service: string; setting: SettingReport; onDone: () => void }) {
  const [text, setText] = useState(JSON.stringify(props.setting.value));
  const [error, setError] = useState<unknown>(undefined);
  const path = `/v1/config/${props.service}/${encodeURIComponent(props.setting.key)}`;

  const set = (event: FormEvent) => {
    event.preventDefault();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      setError(new Error('write the value as JSON: 500, "text", true, ["a"]'));
      return;
    }
    api('PUT', path, { value }).then(props.onDone, setError);
  };

  return (
    <form className="inline-form" onSubmit={set}>
      <label>
        <span className="visually-hidden">New value of {props.setting.key}</span>
        <input value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <button type="submit">Set</button>
      {props.setting.source === 'override' && (
        <button type="button" onClick={() => api('DELETE', path).then(props.onDone, setError)}>
          Unset
        </button>
      )}
      {error !== undefined && <ErrorNote error={error} what="Not changed" />}
    </form>
  );
}

/** Config: each service's settings with their source; live overrides set and unset. */
export function ConfigPage({ canWrite }: { canWrite: boolean }) {
  const [service, setService] = useState('gateway');
  const [settings, setSettings] = useState<SettingReport[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    setError(undefined);
    api<{ settings: SettingReport[] }>('GET', `/v1/config/${service}`).then(
      (report) => setSettings(report.settings),
      (failure: unknown) => {
        setSettings([]);
        setError(failure);
      },
    );
  }, [service]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="config-title">
      <h1 id="config-title">Configuration</h1>
      <label>
        Service{' '}
        <select value={service} onChange={(event) => setService(event.target.value)}>
          {SERVICES.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      {error !== undefined && (
        <ErrorNote error={error} what={`The ${service} settings could not be read`} />
      )}
      {settings === undefined ? (
        <Loading what="settings" />
      ) : (
        <Table columns={['setting', 'value', 'source', canWrite && 'live override']}>
          {settings.map((setting) => (
            <tr key={setting.key}>
              <th scope="row">
                <code>{setting.key}</code>
              </th>
              <td>
                <code>{JSON.stringify(setting.value)}</code>
                {setting.pendingRestart !== undefined && (
                  <span className="badge idle">
                    after restart: {JSON.stringify(setting.pendingRestart.value)}
                  </span>
                )}
              </td>
              <td>
                <span className={`badge ${setting.source === 'override' ? 'warn' : 'idle'}`}>
                  {setting.source}
                </span>
              </td>
              {canWrite && (
                <td>
                  {setting.live ? (
                    <OverrideForm service={service} setting={setting} onDone={load} />
                  ) : (
                    <span className="muted">restart only</span>
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
