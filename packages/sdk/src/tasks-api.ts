import type {
  JsonValue,
  Task,
  TaskStatus,
  TaskSubmitResult,
  TaskTransition,
  TaskType,
  TaskTypeInput,
} from '@switchboard/protocol';

/** How a task is submitted: once (idempotency key), when, how urgently, how long it may run. */
export interface SubmitOptions {
  /** The same key (from the same credential's agent) returns the first task, `duplicate: true`. */
  idempotencyKey?: string;
  /** Default: the type's priority (higher runs first). */
  priority?: number;
  /** Longest run of one attempt, in ms; default: the type's timeout. */
  timeoutMs?: number;
  /** Not before this time. */
  runAt?: Date | string;
  /** Not before this delay from now, in ms. */
  delayMs?: number;
  /** Runs once all these tasks succeeded; cancelled when one of them does not. */
  dependsOn?: string[];
}

/** A page of tasks, newest first: pass `nextCursor` as `cursor` for older ones. */
export interface TaskPage {
  items: Task[];
  nextCursor: string | null;
}

/** Which tasks a listing shows (without `type`: the tasks this agent submitted). */
export interface TaskListOptions {
  type?: string;
  status?: TaskStatus;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/** How long {@link TasksApi.wait} waits, and what it reports meanwhile. */
export interface WaitOptions {
  /** Gives up with `E_TIMEOUT` after this long (default: no limit but `signal`). */
  timeoutMs?: number;
  /** Gives up with the signal's reason when it aborts. */
  signal?: AbortSignal;
  /** Called with the task after each change that is not final (progress, a retry, ...). */
  onChange?: (task: Task) => void;
}

/** What a task handler gets besides the input. */
export interface TaskContext {
  taskId: string;
  type: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** The attempt times out at this time. */
  deadline: Date;
  /**
   * Aborts when the attempt must stop: the task was cancelled, timed out, or its lease was
   * lost. Whatever the handler returns afterwards is dropped.
   */
  signal: AbortSignal;
  /** Reports progress (any JSON; submitters see the latest with `get` or `wait`'s `onChange`). */
  progress(progress: JsonValue): Promise<void>;
}

/**
 * Runs one task: resolves with its result, or throws. A thrown `SbError` keeps its code and
 * message; with `details.retryable === false` the task fails without retries.
 */
export type TaskHandler = (
  input: JsonValue,
  context: TaskContext,
) => Promise<JsonValue> | JsonValue;

/** How this agent executes a type. */
export interface HandleOptions {
  /**
   * Tasks this agent runs at once, over all the types it handles (the largest value given to
   * any `handle` call; default 16). The task worker never hands it more.
   */
  concurrency?: number;
}

/**
 * Tasks through the task worker. Every call rejects with the gateway's `SbError`:
 * `E_VALIDATION` (an unknown type, an input its schema refuses: `details.path`), `E_FORBIDDEN`
 * (no `task` grant for the type), `E_NOT_FOUND`, `E_CONFLICT`, `E_TIMEOUT`, `E_UNAVAILABLE`.
 */
export interface TasksApi {
  /**
   * Stores a task; resolves once it is durably in Postgres. With an `idempotencyKey`, a submit
   * left unanswered (`E_TIMEOUT`, `E_UNAVAILABLE`: a task-worker replica died, the connection
   * dropped) is sent again with the same key, up to the client's `requestTimeoutMs`: it stores
   * one task at most. Without a key it is not sent again (that could store a second task).
   */
  submit(type: string, input: JsonValue, options?: SubmitOptions): Promise<TaskSubmitResult>;
  /** A task with its input, result, error and progress. */
  get(taskId: string): Promise<Task>;
  /** Tasks newest first. */
  list(options?: TaskListOptions): Promise<TaskPage>;
  /** Every transition of a task, oldest first. */
  history(taskId: string): Promise<TaskTransition[]>;
  /** Cancels a task not yet final (a running one's executor is told to stop). */
  cancel(taskId: string, reason?: string): Promise<Task>;
  /** Resolves with the task once it is final (`succeeded`, `failed`, `cancelled`, `timed_out`). */
  wait(taskId: string, options?: WaitOptions): Promise<Task>;
  /** Registers (or replaces) a task type; needs `execute` on it (or an operator key). */
  registerType(type: TaskTypeInput): Promise<TaskType>;
  /** One task type. */
  getType(name: string): Promise<TaskType>;
  /**
   * Executes tasks of `type` with `handler` (declared to the task worker now and after every
   * reconnect); returns a function that stops handling it. Leases are renewed automatically
   * while handlers run.
   */
  handle(type: string, handler: TaskHandler, options?: HandleOptions): Promise<() => Promise<void>>;
}
