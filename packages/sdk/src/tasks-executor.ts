import {
  type ErrorBody,
  isSbError,
  type JsonValue,
  type ResultFrame,
  SbError,
  type TaskAbortFrame,
  type TaskAbortReason,
  type TaskFrame,
  TaskHeartbeatRpc,
  toErrorBody,
} from '@switchboard/protocol';
import { sleep } from './abort.ts';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import { requestResult } from './request-result.ts';
import { isRetryable } from './retry-policy.ts';
import type { TaskContext, TaskHandler } from './tasks-api.ts';

/** Tasks an agent runs at once unless a `handle` call says otherwise. */
export const DEFAULT_TASK_CONCURRENCY = 16;
/** Leases one heartbeat frame renews at most (the RPC's limit). */
const LEASES_PER_HEARTBEAT = 1000;
/** Tries of a completion that could not reach the gateway (a reconnect in between). */
const COMPLETE_TRIES = 8;

/** What the executor needs from the client. */
export interface TaskExecutorHost {
  /** A request over the current connection. */
  request(frame: OutgoingFrame): Promise<ResultFrame>;
  /** Aborts when the client closes for good. */
  lifetime: AbortSignal;
  /** Delay before try `attempt` of a completion that failed to reach the gateway. */
  backoffMs(attempt: number): number;
  log: SdkLogger;
}

interface Run {
  attempt: number;
  controller: AbortController;
}

type Outcome = { result: JsonValue } | { error: ErrorBody; retryable: boolean };

/** The error body a handler's throw becomes, and whether the task may be retried. */
function outcomeOfError(error: unknown): Outcome {
  const body = toErrorBody(error);
  const retryable = !(isSbError(error) && error.details?.retryable === false);
  if (!isSbError(error) && error instanceof Error) body.message = error.message;
  return { error: body, retryable };
}

/**
 * Runs the tasks the task worker pushes to this agent: one handler per type, at most
 * `concurrency` at once (more wait here), leases renewed by one heartbeat frame for all running
 * and waiting tasks every third of the lease, a `task.abort` (or a lease the heartbeat reports
 * lost) aborts the handler's signal, and the outcome goes back with `task.complete`.
 */
export class TaskExecutor {
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly running = new Map<string, Run>();
  private readonly waiting: TaskFrame[] = [];
  private concurrency = DEFAULT_TASK_CONCURRENCY;
  private explicitConcurrency = false;
  private heartbeat: ReturnType<typeof setTimeout> | undefined;
  private heartbeatMs = Number.POSITIVE_INFINITY;

  constructor(private readonly host: TaskExecutorHost) {}

  /** Handles `type` with `handler` and declares every handled type to the task worker. */
  async handle(type: string, handler: TaskHandler, concurrency?: number): Promise<void> {
    if (concurrency !== undefined) {
      this.concurrency = this.explicitConcurrency
        ? Math.max(this.concurrency, concurrency)
        : concurrency;
      this.explicitConcurrency = true;
    }
    this.handlers.set(type, handler);
    await this.declare(this.host.request);
  }

  /** Stops handling `type` (running tasks finish) and declares what is left. */
  async unhandle(type: string, handler: TaskHandler): Promise<void> {
    if (this.handlers.get(type) !== handler) return;
    this.handlers.delete(type);
    await this.declare(this.host.request);
  }

  /** Declares the handled types again over a new connection; never throws. */
  async restore(request: (frame: OutgoingFrame) => Promise<ResultFrame>): Promise<void> {
    if (this.handlers.size === 0) return;
    try {
      await this.declare(request);
    } catch (error) {
      this.host.log.warn({ err: error }, 'could not declare the task types this agent handles');
    }
  }

  /** Takes a `task` push. */
  receive(frame: TaskFrame): void {
    // A push seen before (the worker put it back and sent it again): already running here.
    if (this.running.get(frame.taskId)?.attempt === frame.attempt) return;
    if (this.running.size < this.concurrency) void this.run(frame);
    else {
      // Its lease runs while it waits here: the heartbeat renews it too.
      this.waiting.push(frame);
      this.scheduleHeartbeat(frame.leaseMs);
    }
  }

  /** Takes a `task.abort` push: the attempt's handler is told to stop. */
  abort(frame: TaskAbortFrame): void {
    const queued = this.waiting.findIndex(
      (task) => task.taskId === frame.taskId && task.attempt === frame.attempt,
    );
    if (queued >= 0) this.waiting.splice(queued, 1);
    this.stop(frame.taskId, frame.attempt, frame.reason);
  }

  private stop(taskId: string, attempt: number, reason: TaskAbortReason): void {
    const run = this.running.get(taskId);
    if (run?.attempt !== attempt) return;
    run.controller.abort(
      new SbError(
        reason === 'timed_out' ? 'E_TIMEOUT' : 'E_CONFLICT',
        `attempt ${attempt} of task ${taskId} must stop: ${reason}`,
      ),
    );
  }

  /** Aborts every running handler (the client closed); their tasks come back elsewhere. */
  close(): void {
    clearTimeout(this.heartbeat);
    this.waiting.length = 0;
    for (const run of this.running.values()) {
      run.controller.abort(new SbError('E_UNAVAILABLE', 'the client was closed'));
    }
  }

  private declare(request: (frame: OutgoingFrame) => Promise<ResultFrame>) {
    return request({
      type: 'task.executor',
      types: [...this.handlers.keys()],
      concurrency: this.concurrency,
    });
  }

  private async run(frame: TaskFrame): Promise<void> {
    const controller = new AbortController();
    this.running.set(frame.taskId, { attempt: frame.attempt, controller });
    this.scheduleHeartbeat(frame.leaseMs);
    const context: TaskContext = {
      taskId: frame.taskId,
      type: frame.taskType,
      attempt: frame.attempt,
      deadline: new Date(frame.deadline),
      signal: controller.signal,
      progress: async (progress) => {
        await this.host.request({
          type: 'task.progress',
          taskId: frame.taskId,
          attempt: frame.attempt,
          progress,
        });
      },
    };
    let outcome: Outcome;
    const handler = this.handlers.get(frame.taskType);
    try {
      if (handler === undefined) {
        throw new SbError('E_UNAVAILABLE', `agent no longer handles ${frame.taskType} tasks`);
      }
      outcome = { result: (await handler(frame.input, context)) ?? null };
    } catch (error) {
      outcome = outcomeOfError(error);
      if (!controller.signal.aborted) {
        this.host.log.warn({ err: error, taskId: frame.taskId }, 'a task handler failed');
      }
    }
    if (this.running.get(frame.taskId)?.controller === controller)
      this.running.delete(frame.taskId);
    // An aborted attempt is no longer this agent's: its completion would be refused.
    if (!controller.signal.aborted) await this.complete(frame, outcome);
    const next = this.waiting.shift();
    if (next !== undefined) void this.run(next);
  }

  private async complete(frame: TaskFrame, outcome: Outcome): Promise<void> {
    const request: OutgoingFrame = {
      type: 'task.complete',
      taskId: frame.taskId,
      attempt: frame.attempt,
      ...outcome,
    };
    for (let attempt = 1; attempt <= COMPLETE_TRIES; attempt++) {
      try {
        await this.host.request(request);
        return;
      } catch (error) {
        const failure = isSbError(error) ? error : new SbError('E_INTERNAL', String(error));
        if (!isRetryable(failure) || this.host.lifetime.aborted) {
          this.host.log.debug(
            { err: failure, taskId: frame.taskId },
            'a task completion was refused',
          );
          return;
        }
        await sleep(this.host.backoffMs(attempt), this.host.lifetime).catch(() => undefined);
      }
    }
    this.host.log.warn(
      { taskId: frame.taskId },
      'a task completion did not reach the gateway; the task will run again',
    );
  }

  // One timer for all running tasks, at a third of the shortest lease seen.
  private scheduleHeartbeat(leaseMs: number): void {
    const intervalMs = Math.max(1, Math.floor(leaseMs / 3));
    if (this.heartbeat !== undefined && intervalMs >= this.heartbeatMs) return;
    clearTimeout(this.heartbeat);
    this.heartbeatMs = intervalMs;
    this.heartbeat = setTimeout(() => {
      this.heartbeat = undefined;
      this.heartbeatMs = Number.POSITIVE_INFINITY;
      void this.beat(intervalMs);
    }, intervalMs);
  }

  private async beat(intervalMs: number): Promise<void> {
    if ((this.running.size === 0 && this.waiting.length === 0) || this.host.lifetime.aborted) {
      return;
    }
    const leases = [
      ...[...this.running].map(([taskId, run]) => ({ taskId, attempt: run.attempt })),
      ...this.waiting.map((task) => ({ taskId: task.taskId, attempt: task.attempt })),
    ];
    this.scheduleHeartbeat(intervalMs * 3);
    for (let start = 0; start < leases.length; start += LEASES_PER_HEARTBEAT) {
      try {
        const { lost } = await requestResult(
          this.host.request,
          { type: 'task.heartbeat', leases: leases.slice(start, start + LEASES_PER_HEARTBEAT) },
          TaskHeartbeatRpc.response,
        );
        for (const taskId of lost) {
          const run = this.running.get(taskId);
          if (run !== undefined) this.stop(taskId, run.attempt, 'lost');
          const queued = this.waiting.findIndex((task) => task.taskId === taskId);
          if (queued >= 0) this.waiting.splice(queued, 1);
        }
      } catch (error) {
        this.host.log.debug({ err: error }, 'a task heartbeat failed; the next one tries again');
      }
    }
  }
}
