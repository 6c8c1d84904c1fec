import type {
  Task,
  TaskSchedule,
  TaskSubmitResult,
  TaskTransition,
  TaskType,
} from '@switchboard/protocol';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Page, queryOf } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Empty, ErrorNote, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';

const TASK_EVENTS = ['task.changed'];
const STATUSES = [
  'scheduled',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
/** Under load tasks change hundreds of times a second: the list reloads at most this often. */
const RELOAD_EVERY_MS = 1000;

function when(iso: string | null): string {
  return iso === null ? '–' : new Date(iso).toLocaleString();
}

function statusBadge(status: string) {
  const tone =
    status === 'succeeded'
      ? 'good'
      : FINAL.has(status)
        ? 'bad'
        : status === 'running'
          ? 'warn'
          : 'idle';
  return <span className={`badge ${tone}`}>{status}</span>;
}

/** Calls `load` now, and again at most every {@link RELOAD_EVERY_MS} while tasks change. */
function useThrottledReload(load: () => void): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      load();
    }, RELOAD_EVERY_MS);
  }, [load]);
}

function TaskDetail(props: { taskId: string; canWrite: boolean; onChanged: () => void }) {
  const [task, setTask] = useState<Task | undefined>(undefined);
  const [history, setHistory] = useState<TaskTransition[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const id = encodeURIComponent(props.taskId);

  const load = useCallback(() => {
    api<Task>('GET', `/v1/tasks/${id}`).then(setTask, setError);
    api<{ items: TaskTransition[] }>('GET', `/v1/tasks/${id}/history`).then(
      (page) => setHistory(page.items),
      setError,
    );
  }, [id]);
  useEffect(load, [load]);
  useLive(TASK_EVENTS, useThrottledReload(load));

  const cancel = () => {
    api<Task>('POST', `/v1/tasks/${id}/cancel`, { reason: 'cancelled from the console' }).then(
      (cancelled) => {
        setTask(cancelled);
        props.onChanged();
      },
      setError,
    );
  };

  if (error !== undefined) return <ErrorNote error={error} />;
  if (task === undefined) return <Loading what="the task" />;
  return (
    <aside className="panel" aria-labelledby="task-title">
      <h2 id="task-title">Task {task.id}</h2>
      <dl>
        <dt>type</dt>
        <dd>{task.type}</dd>
        <dt>status</dt>
        <dd>{statusBadge(task.status)}</dd>
        <dt>attempt</dt>
        <dd>
          {task.attempt} of {task.maxAttempts}
        </dd>
        <dt>agent</dt>
        <dd>{task.agentId ?? '–'}</dd>
        <dt>submitted by</dt>
        <dd>{task.submittedBy}</dd>
        <dt>run at</dt>
        <dd>{when(task.runAt)}</dd>
        <dt>finished</dt>
        <dd>{when(task.finishedAt)}</dd>
      </dl>
      {props.canWrite && !FINAL.has(task.status) && (
        <ConfirmButton
          label="Cancel task"
          question={`Cancel task ${task.id}? A running handler is told to stop.`}
          confirmLabel="Cancel task"
          danger
          onConfirm={cancel}
        />
      )}
      <h3>Input</h3>
      <pre>{JSON.stringify(task.input, null, 2)}</pre>
      {task.result !== null && (
        <>
          <h3>Result</h3>
          <pre>{JSON.stringify(task.result, null, 2)}</pre>
        </>
      )}
      {task.error !== null && (
        <>
          <h3>Error</h3>
          <pre>{JSON.stringify(task.error, null, 2)}</pre>
        </>
      )}
      {task.progress !== null && (
        <>
          <h3>Progress</h3>
          <pre>{JSON.stringify(task.progress, null, 2)}</pre>
        </>
      )}
      <h3>Transitions</h3>
      <ol className="compact" aria-label="Transitions">
        {history.map((step) => (
          <li key={`${step.at}-${step.to}-${step.attempt}`}>
            {step.from ?? 'new'} → <strong>{step.to}</strong> · attempt {step.attempt}
            {step.agentId !== null && ` · ${step.agentId}`} · {when(step.at)}
            {step.reason !== null && ` · ${step.reason}`}
          </li>
        ))}
      </ol>
    </aside>
  );
}

function SubmitTask(props: { types: TaskType[]; onSubmitted: (taskId: string) => void }) {
  // Empty until the operator picks one: the types may load after the form first shows.
  const [picked, setType] = useState('');
  const type = picked || (props.types[0]?.name ?? '');
  const [input, setInput] = useState('{}');
  const [delayMs, setDelayMs] = useState('');
  const [error, setError] = useState<unknown>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      setError(new Error('the input must be JSON'));
      return;
    }
    const delay = delayMs === '' ? {} : { delayMs: Number(delayMs) };
    api<TaskSubmitResult>('POST', '/v1/tasks', { type, input: parsed, ...delay }).then(
      (submitted) => props.onSubmitted(submitted.taskId),
      setError,
    );
  };

  if (props.types.length === 0) return null;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="submit-task-title">
      <h2 id="submit-task-title">Submit a task</h2>
      <label>
        Type
        <select value={type} onChange={(event) => setType(event.target.value)}>
          {props.types.map((item) => (
            <option key={item.name}>{item.name}</option>
          ))}
        </select>
      </label>
      <label>
        Input (JSON)
        <textarea rows={3} value={input} onChange={(event) => setInput(event.target.value)} />
      </label>
      <label>
        Delay (ms, optional)
        <input
          inputMode="numeric"
          value={delayMs}
          onChange={(event) => setDelayMs(event.target.value)}
        />
      </label>
      <button type="submit" className="primary">
        Submit
      </button>
      {error !== undefined && <ErrorNote error={error} what="Not submitted" />}
    </form>
  );
}

/** Tasks: list and filter, a task's detail with its transitions, submit, cancel; types; schedules. */
export function TasksPage({ canWrite }: { canWrite: boolean }) {
  const [filters, setFilters] = useState({ type: '', status: '' });
  const [tasks, setTasks] = useState<Task[] | undefined>(undefined);
  const [types, setTypes] = useState<TaskType[]>([]);
  const [schedules, setSchedules] = useState<TaskSchedule[]>([]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(() => {
    api<Page<Task>>('GET', `/v1/tasks${queryOf({ ...filters, limit: 100 })}`).then((page) => {
      setTasks(page.items);
      setError(undefined);
    }, setError);
  }, [filters]);
  useEffect(load, [load]);
  useLive(TASK_EVENTS, useThrottledReload(load));
  useEffect(() => {
    api<{ items: TaskType[] }>('GET', '/v1/task-types').then(
      (page) => setTypes(page.items),
      setError,
    );
    api<{ items: TaskSchedule[] }>('GET', '/v1/task-schedules').then(
      (page) => setSchedules(page.items),
      setError,
    );
  }, []);

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      {canWrite && (
        <SubmitTask
          types={types}
          onSubmitted={(taskId) => {
            setSelected(taskId);
            load();
          }}
        />
      )}
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Type
          <select
            value={filters.type}
            onChange={(event) => setFilters({ ...filters, type: event.target.value })}
          >
            <option value="">any</option>
            {types.map((item) => (
              <option key={item.name}>{item.name}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            value={filters.status}
            onChange={(event) => setFilters({ ...filters, status: event.target.value })}
          >
            <option value="">any</option>
            {STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
      </form>
      {error !== undefined && <ErrorNote error={error} />}
      {tasks === undefined ? (
        <Loading what="tasks" />
      ) : tasks.length === 0 ? (
        <Empty>No task matches. Agents submit tasks with client.tasks.submit().</Empty>
      ) : (
        <div className="split">
          <Table columns={['id', 'type', 'status', 'attempt', 'agent', 'created']}>
            {tasks.map((task) => (
              <tr key={task.id} className={task.id === selected ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(task.id)}>
                    {task.id}
                  </button>
                </td>
                <td>{task.type}</td>
                <td>{statusBadge(task.status)}</td>
                <td>
                  {task.attempt}/{task.maxAttempts}
                </td>
                <td>{task.agentId ?? '–'}</td>
                <td>{when(task.createdAt)}</td>
              </tr>
            ))}
          </Table>
          {selected !== undefined && (
            <TaskDetail key={selected} taskId={selected} canWrite={canWrite} onChanged={load} />
          )}
        </div>
      )}
      <h2>Task types</h2>
      {types.length === 0 ? (
        <p className="muted">No task type registered yet.</p>
      ) : (
        <Table columns={['type', 'capabilities', 'timeout', 'attempts', 'strategy', 'concurrency']}>
          {types.map((type) => (
            <tr key={type.name}>
              <th scope="row">{type.name}</th>
              <td>{type.capabilities.join(', ') || '–'}</td>
              <td>{type.timeoutMs} ms</td>
              <td>{type.retry.maxAttempts}</td>
              <td>{type.strategy}</td>
              <td>{type.concurrency ?? '–'}</td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Cron schedules</h2>
      {schedules.length === 0 ? (
        <p className="muted">No cron schedule.</p>
      ) : (
        <Table columns={['schedule', 'type', 'cron', 'time zone', 'next run']}>
          {schedules.map((schedule) => (
            <tr key={schedule.name}>
              <th scope="row">{schedule.name}</th>
              <td>{schedule.type}</td>
              <td>
                <code>{schedule.cron}</code>
              </td>
              <td>{schedule.timezone}</td>
              <td>{when(schedule.nextRunAt)}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
