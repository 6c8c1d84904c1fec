import { Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import { A2aAgentStates, type A2aTaskUpdate, SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyAgentUpdate,
  applyCancel,
  applyFollowUp,
  isSettled,
  isTerminal,
  newTask,
  stateOf,
  taskStateOf,
  withHistory,
} from './task-machine.ts';

const now = new Date('2026-11-26T01:00:00.000Z');
const later = new Date('2026-11-26T01:05:00.000Z');

const userMessage = (text: string, messageId = `m-${text}`) =>
  Message.fromJSON({ messageId, role: 'ROLE_USER', parts: [{ text }] });

const submitted = () =>
  newTask({ id: 'task-1', contextId: 'ctx-1', message: userMessage('hello'), now }).task;

const inState = (state: TaskState): Task => ({
  ...submitted(),
  status: { state, message: undefined, timestamp: now.toISOString() },
});

const update = (fields: Omit<A2aTaskUpdate, 'taskId' | 'updateId'>): A2aTaskUpdate => ({
  taskId: 'task-1',
  updateId: 'u-1',
  ...fields,
});

const ENDED = [
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
];

const textParts = (parts: { content?: { $case: string; value: unknown } }[]) =>
  parts.map((part) => (part.content?.$case === 'text' ? part.content.value : undefined));

describe('task states', () => {
  it('maps every agent state name to the spec state', () => {
    expect(A2aAgentStates.map(taskStateOf)).toEqual([
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_AUTH_REQUIRED,
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_FAILED,
      TaskState.TASK_STATE_CANCELED,
      TaskState.TASK_STATE_REJECTED,
    ]);
  });

  it('calls only completed, failed, canceled and rejected terminal', () => {
    for (const state of ENDED) expect(isTerminal(state)).toBe(true);
    for (const state of [
      TaskState.TASK_STATE_SUBMITTED,
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_AUTH_REQUIRED,
    ]) {
      expect(isTerminal(state)).toBe(false);
    }
  });

  it('settles a blocking send on an end or on a question to the caller, not while working', () => {
    for (const state of [
      ...ENDED,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_AUTH_REQUIRED,
    ]) {
      expect(isSettled(state)).toBe(true);
    }
    expect(isSettled(TaskState.TASK_STATE_SUBMITTED)).toBe(false);
    expect(isSettled(TaskState.TASK_STATE_WORKING)).toBe(false);
  });

  it('reads a task without a status as unspecified', () => {
    expect(stateOf({ ...submitted(), status: undefined })).toBe(TaskState.TASK_STATE_UNSPECIFIED);
    expect(stateOf(submitted())).toBe(TaskState.TASK_STATE_SUBMITTED);
  });
});

describe('newTask', () => {
  it('starts submitted with the first message, bound to the task, as its history', () => {
    const { task, events } = newTask({
      id: 'task-1',
      contextId: 'ctx-1',
      message: userMessage('hello'),
      now,
    });
    expect(task).toMatchObject({
      id: 'task-1',
      contextId: 'ctx-1',
      status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: now.toISOString() },
      artifacts: [],
    });
    expect(task.history).toEqual([
      expect.objectContaining({ messageId: 'm-hello', taskId: 'task-1', contextId: 'ctx-1' }),
    ]);
    expect(events).toEqual([{ payload: { $case: 'task', value: task } }]);
  });
});

describe('applyFollowUp', () => {
  it('adds the caller’s next message to the history and works again', () => {
    const asked = inState(TaskState.TASK_STATE_INPUT_REQUIRED);
    const { task, events } = applyFollowUp(asked, userMessage('Ada'), later);
    expect(task.status).toEqual({
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: later.toISOString(),
    });
    expect(task.history.map((message) => message.messageId)).toEqual(['m-hello', 'm-Ada']);
    expect(task.history[1]).toMatchObject({ taskId: 'task-1', contextId: 'ctx-1' });
    expect(events).toEqual([
      {
        payload: {
          $case: 'statusUpdate',
          value: {
            taskId: 'task-1',
            contextId: 'ctx-1',
            status: task.status,
            metadata: undefined,
          },
        },
      },
    ]);
  });

  it('refuses a message for a task that ended, naming its state', () => {
    for (const state of ENDED) {
      expect(() => applyFollowUp(inState(state), userMessage('again'), later)).toThrow(
        expect.objectContaining({
          code: 'E_CONFLICT',
          message: expect.stringContaining(TaskState[state]),
        }),
      );
    }
  });
});

describe('applyCancel', () => {
  it('cancels a task that has not ended', () => {
    const { task, events } = applyCancel(inState(TaskState.TASK_STATE_WORKING), later);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(task.status?.timestamp).toBe(later.toISOString());
    expect(events).toHaveLength(1);
    expect(events[0]?.payload?.$case).toBe('statusUpdate');
  });

  it('refuses to cancel an ended task as not cancelable', () => {
    let thrown: unknown;
    try {
      applyCancel(inState(TaskState.TASK_STATE_COMPLETED), later);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SbError);
    expect(thrown).toMatchObject({
      code: 'E_CONFLICT',
      details: { reason: 'not_cancelable' },
    });
  });
});

describe('applyAgentUpdate', () => {
  it('adds a new artifact with defaults for the fields the agent left out', () => {
    const { task, events } = applyAgentUpdate(
      inState(TaskState.TASK_STATE_WORKING),
      update({ artifact: { artifactId: 'out', parts: [{ text: 'one' }] } }),
      later,
    );
    expect(task.artifacts).toHaveLength(1);
    expect(task.artifacts[0]).toMatchObject({
      artifactId: 'out',
      name: '',
      description: '',
      extensions: [],
    });
    expect(textParts(task.artifacts[0]?.parts ?? [])).toEqual(['one']);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(events).toEqual([
      {
        payload: {
          $case: 'artifactUpdate',
          value: expect.objectContaining({
            taskId: 'task-1',
            contextId: 'ctx-1',
            append: false,
            lastChunk: false,
          }),
        },
      },
    ]);
  });

  it('appends a chunk to the artifact of the same id and replaces it without append', () => {
    const first = applyAgentUpdate(
      inState(TaskState.TASK_STATE_WORKING),
      update({
        artifact: {
          artifactId: 'out',
          name: 'result',
          description: 'the answer',
          parts: [{ text: 'one' }],
          extensions: ['ext'],
        },
      }),
      later,
    ).task;
    const other = applyAgentUpdate(
      first,
      update({ artifact: { artifactId: 'other', parts: [{ text: 'x' }] } }),
      later,
    ).task;
    const appended = applyAgentUpdate(
      other,
      update({
        artifact: { artifactId: 'out', parts: [{ text: 'two' }], append: true, lastChunk: true },
      }),
      later,
    );
    expect(appended.task.artifacts.map((artifact) => artifact.artifactId)).toEqual([
      'out',
      'other',
    ]);
    expect(appended.task.artifacts[0]).toMatchObject({ name: 'result', extensions: ['ext'] });
    expect(textParts(appended.task.artifacts[0]?.parts ?? [])).toEqual(['one', 'two']);
    expect(appended.events[0]?.payload).toMatchObject({
      $case: 'artifactUpdate',
      value: { append: true, lastChunk: true },
    });

    const replaced = applyAgentUpdate(
      appended.task,
      update({ artifact: { artifactId: 'out', parts: [{ text: 'fresh' }] } }),
      later,
    ).task;
    expect(textParts(replaced.artifacts[0]?.parts ?? [])).toEqual(['fresh']);
    expect(replaced.artifacts[0]?.name).toBe('');
  });

  it('moves to the new state and keeps the agent’s words in the history', () => {
    const { task, events } = applyAgentUpdate(
      inState(TaskState.TASK_STATE_WORKING),
      update({
        status: {
          state: 'input-required',
          message: { parts: [{ text: 'your name?' }], metadata: { turn: 1 } },
        },
      }),
      later,
    );
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(task.status?.timestamp).toBe(later.toISOString());
    expect(task.status?.message).toMatchObject({
      messageId: 'u-1',
      role: Role.ROLE_AGENT,
      taskId: 'task-1',
      contextId: 'ctx-1',
      metadata: { turn: 1 },
    });
    expect(task.history.at(-1)).toBe(task.status?.message);
    expect(events.map((event) => event.payload?.$case)).toEqual(['statusUpdate']);
  });

  it('changes the state alone when the status has no message', () => {
    const before = inState(TaskState.TASK_STATE_SUBMITTED);
    const { task } = applyAgentUpdate(before, update({ status: { state: 'working' } }), later);
    expect(task.status).toEqual({
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: later.toISOString(),
    });
    expect(task.history).toEqual(before.history);
  });

  it('tells an artifact before the status when an update carries both', () => {
    const { task, events } = applyAgentUpdate(
      inState(TaskState.TASK_STATE_WORKING),
      update({
        artifact: { artifactId: 'out', parts: [{ data: { n: 1 } }] },
        status: { state: 'completed', message: { parts: [{ text: 'done' }] } },
      }),
      later,
    );
    expect(events.map((event) => event.payload?.$case)).toEqual(['artifactUpdate', 'statusUpdate']);
    expect(task.artifacts).toHaveLength(1);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('refuses an update to a task that ended', () => {
    for (const state of ENDED) {
      expect(() =>
        applyAgentUpdate(inState(state), update({ status: { state: 'working' } }), later),
      ).toThrow(expect.objectContaining({ code: 'E_CONFLICT' }));
    }
  });
});

describe('applyAgentUpdate with ifState: submitted (the SDK’s automatic working report)', () => {
  const automatic = update({ status: { state: 'working' }, ifState: 'submitted' });

  it('moves a task still submitted to working', () => {
    const { task, events } = applyAgentUpdate(submitted(), automatic, later);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(events.map((event) => event.payload?.$case)).toEqual(['statusUpdate']);
  });

  it('changes nothing once the task has left submitted: paused, or working already', () => {
    for (const state of [
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_AUTH_REQUIRED,
      TaskState.TASK_STATE_WORKING,
    ]) {
      const before = inState(state);
      const withArtifact = update({
        status: { state: 'working' },
        artifact: { artifactId: 'out', parts: [{ text: 'x' }] },
        ifState: 'submitted',
      });
      for (const moot of [automatic, withArtifact]) {
        const applied = applyAgentUpdate(before, moot, later);
        expect(applied.task).toBe(before);
        expect(applied.events).toEqual([]);
      }
    }
  });

  it('still refuses a task that ended, so the agent hears its work is moot', () => {
    for (const state of ENDED) {
      expect(() => applyAgentUpdate(inState(state), automatic, later)).toThrow(
        expect.objectContaining({ code: 'E_CONFLICT' }),
      );
    }
  });

  it('leaves the agent’s own working, without ifState, as it was: it resumes a paused task', () => {
    const { task } = applyAgentUpdate(
      inState(TaskState.TASK_STATE_INPUT_REQUIRED),
      update({ status: { state: 'working' } }),
      later,
    );
    expect(task.status?.state).toBe(TaskState.TASK_STATE_WORKING);
  });
});

describe('withHistory', () => {
  const long = (): Task => {
    let task = submitted();
    for (const text of ['two', 'three']) {
      task = applyFollowUp(task, userMessage(text), later).task;
    }
    return task;
  };

  it('keeps the whole history when no length is asked', () => {
    const task = long();
    expect(withHistory(task, undefined)).toBe(task);
  });

  it('keeps the last messages when a length is asked, none for 0', () => {
    const ids = (task: Task) => task.history.map((message) => message.messageId);
    expect(ids(withHistory(long(), 2))).toEqual(['m-two', 'm-three']);
    expect(ids(withHistory(long(), 10))).toEqual(['m-hello', 'm-two', 'm-three']);
    expect(withHistory(long(), 0).history).toEqual([]);
  });
});
