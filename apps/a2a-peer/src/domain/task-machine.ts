import {
  type Artifact,
  type Message,
  Part,
  Role,
  type StreamResponse,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import { type A2aAgentState, type A2aTaskUpdate, SbError } from '@switchboard/protocol';

// The A2A task state machine (v1.0): which changes a task accepts and the stream responses each
// one produces. Pure: the store applies these inside a transaction and persists the result.

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

const INTERRUPTED = new Set<TaskState>([
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
]);

const AGENT_STATES: Record<A2aAgentState, TaskState> = {
  working: TaskState.TASK_STATE_WORKING,
  'input-required': TaskState.TASK_STATE_INPUT_REQUIRED,
  'auth-required': TaskState.TASK_STATE_AUTH_REQUIRED,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  canceled: TaskState.TASK_STATE_CANCELED,
  rejected: TaskState.TASK_STATE_REJECTED,
};

/** The task state an agent's state name stands for. */
export const taskStateOf = (state: A2aAgentState): TaskState => AGENT_STATES[state];

/** True for a state a task never leaves (completed, failed, canceled, rejected). */
export const isTerminal = (state: TaskState): boolean => TERMINAL.has(state);

/**
 * True when a blocking `SendMessage` answers: the task ended, or it waits for the caller
 * (input-required, auth-required).
 */
export const isSettled = (state: TaskState): boolean =>
  TERMINAL.has(state) || INTERRUPTED.has(state);

/** The state of a task (a task always has a status once created). */
export const stateOf = (task: Task): TaskState =>
  task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;

/**
 * A change applied: the task as it is now and the stream responses that tell it. No events:
 * nothing changed (a moot update), and the store leaves the task as it was.
 */
export interface Applied {
  task: Task;
  events: StreamResponse[];
}

const statusEvent = (task: Task): StreamResponse => ({
  payload: {
    $case: 'statusUpdate',
    value: { taskId: task.id, contextId: task.contextId, status: task.status, metadata: undefined },
  },
});

/** A new task for the caller's first message: `submitted`, the message as its history. */
export function newTask(input: {
  id: string;
  contextId: string;
  message: Message;
  now: Date;
  /** The task's metadata (what the encrypted-payloads extension keeps: a key id). */
  metadata?: Task['metadata'];
}): Applied {
  const message = { ...input.message, taskId: input.id, contextId: input.contextId };
  const task: Task = {
    id: input.id,
    contextId: input.contextId,
    status: {
      state: TaskState.TASK_STATE_SUBMITTED,
      message: undefined,
      timestamp: input.now.toISOString(),
    },
    artifacts: [],
    history: [message],
    metadata: input.metadata,
  };
  return { task, events: [{ payload: { $case: 'task', value: task } }] };
}

/**
 * The caller's next message on a task that has not ended (typically one waiting for input):
 * kept in the history, and the task is `working` again.
 * @throws SbError `E_CONFLICT` when the task already ended.
 */
export function applyFollowUp(task: Task, message: Message, now: Date): Applied {
  if (isTerminal(stateOf(task))) {
    throw new SbError(
      'E_CONFLICT',
      `task ${task.id} has ended (${TaskState[stateOf(task)]}); start a new task for a new request`,
    );
  }
  const next: Task = {
    ...task,
    status: {
      state: TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: now.toISOString(),
    },
    history: [...task.history, { ...message, taskId: task.id, contextId: task.contextId }],
  };
  return { task: next, events: [statusEvent(next)] };
}

/**
 * Cancels a task that has not ended.
 * @throws SbError `E_CONFLICT` (details `reason: not_cancelable`) when it already ended.
 */
export function applyCancel(task: Task, now: Date): Applied {
  if (isTerminal(stateOf(task))) {
    throw new SbError(
      'E_CONFLICT',
      `task ${task.id} has ended (${TaskState[stateOf(task)]}) and cannot be canceled`,
      { details: { reason: 'not_cancelable' } },
    );
  }
  const next: Task = {
    ...task,
    status: {
      state: TaskState.TASK_STATE_CANCELED,
      message: undefined,
      timestamp: now.toISOString(),
    },
  };
  return { task: next, events: [statusEvent(next)] };
}

function mergeArtifact(artifacts: Artifact[], artifact: Artifact, append: boolean): Artifact[] {
  const index = artifacts.findIndex((existing) => existing.artifactId === artifact.artifactId);
  if (index === -1) return [...artifacts, artifact];
  const existing = artifacts[index] as Artifact;
  const merged = append ? { ...existing, parts: [...existing.parts, ...artifact.parts] } : artifact;
  return artifacts.map((item, at) => (at === index ? merged : item));
}

const REQUIRED_STATES: Record<NonNullable<A2aTaskUpdate['ifState']>, TaskState> = {
  submitted: TaskState.TASK_STATE_SUBMITTED,
};

/**
 * An update from the agent working the task: an artifact (or a chunk of one) and/or a new
 * status, whose message joins the history. An update whose `ifState` the task has left is moot:
 * it changes nothing (the task as it is, no events).
 * @throws SbError `E_CONFLICT` when the task already ended, moot or not: the agent hears that its
 * work no longer matters (the SDK aborts the handler's signal on it).
 */
export function applyAgentUpdate(task: Task, update: A2aTaskUpdate, now: Date): Applied {
  if (isTerminal(stateOf(task))) {
    throw new SbError(
      'E_CONFLICT',
      `task ${task.id} has ended (${TaskState[stateOf(task)]}); an update cannot change it`,
    );
  }
  if (update.ifState !== undefined && stateOf(task) !== REQUIRED_STATES[update.ifState]) {
    return { task, events: [] };
  }
  let next = task;
  const events: StreamResponse[] = [];
  if (update.artifact !== undefined) {
    const { append = false, lastChunk = false, ...fields } = update.artifact;
    const artifact: Artifact = {
      artifactId: fields.artifactId,
      name: fields.name ?? '',
      description: fields.description ?? '',
      parts: fields.parts.map((part) => Part.fromJSON(part)),
      metadata: fields.metadata,
      extensions: fields.extensions ?? [],
    };
    next = { ...next, artifacts: mergeArtifact(next.artifacts, artifact, append) };
    events.push({
      payload: {
        $case: 'artifactUpdate',
        value: {
          taskId: task.id,
          contextId: task.contextId,
          artifact,
          append,
          lastChunk,
          metadata: undefined,
        },
      },
    });
  }
  if (update.status !== undefined) {
    const message: Message | undefined =
      update.status.message === undefined
        ? undefined
        : {
            messageId: update.updateId,
            contextId: task.contextId,
            taskId: task.id,
            role: Role.ROLE_AGENT,
            parts: update.status.message.parts.map((part) => Part.fromJSON(part)),
            metadata: update.status.message.metadata,
            extensions: [],
            referenceTaskIds: [],
          };
    next = {
      ...next,
      status: { state: taskStateOf(update.status.state), message, timestamp: now.toISOString() },
      history: message === undefined ? next.history : [...next.history, message],
    };
    events.push(statusEvent(next));
  }
  return { task: next, events };
}

/** The task as a reader asked for it: the last `historyLength` messages (all when unset). */
export function withHistory(task: Task, historyLength: number | undefined): Task {
  if (historyLength === undefined) return task;
  return { ...task, history: historyLength === 0 ? [] : task.history.slice(-historyLength) };
}
