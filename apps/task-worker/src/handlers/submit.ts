import { encodePayload } from '@switchboard/db';
import {
  type JsonValue,
  SbError,
  type TaskChange,
  type TaskSubmit,
  type TaskSubmitResult,
} from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import { createBatcher } from '@switchboard/service';
import { v7 as uuidv7 } from 'uuid';
import { assertTaskAccess } from '../caller.ts';
import type { TasksSettings } from '../config.ts';
import type { NewTask, Submitted, TaskStore } from '../db/task-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { InputValidator } from '../input-validator.ts';
import type { TaskMetrics } from '../task-metrics.ts';
import type { TypeRegistry } from '../type-registry.ts';

/**
 * Takes submits: checks the caller, the type and the input, then stores tasks many at a time
 * (group commit) and answers each once its transaction committed.
 */
export function createSubmitter(deps: {
  store: TaskStore;
  types: TypeRegistry;
  validator: InputValidator;
  dispatcher: Dispatcher;
  publish: (changes: readonly TaskChange[]) => void;
  settings: () => TasksSettings;
  metrics: TaskMetrics;
}) {
  const batcher = createBatcher<NewTask, Submitted>(
    async (tasks) => {
      const { results, changes } = await deps.store.submit(tasks);
      deps.publish(changes);
      deps.metrics.submitted(changes.length, results.length - changes.length);
      if (changes.some((change) => change.status === 'queued')) deps.dispatcher.wake();
      return results;
    },
    { maxBatch: () => deps.settings().submitBatch },
  );

  return {
    async submit(request: TaskSubmit, caller: Caller): Promise<TaskSubmitResult> {
      const type = await deps.types.get(request.type);
      assertTaskAccess(caller, type.name, 'submit');
      const input = (request.input ?? null) as JsonValue;
      deps.validator.check(type, input);
      const bytes = encodePayload(input);
      const { maxPayloadBytes } = deps.settings();
      if (bytes.length > maxPayloadBytes) {
        throw new SbError(
          'E_PAYLOAD_TOO_LARGE',
          `the input is ${bytes.length} bytes; the limit is ${maxPayloadBytes}`,
        );
      }
      const runAt =
        request.runAt !== undefined
          ? new Date(request.runAt)
          : request.delayMs !== undefined && request.delayMs > 0
            ? new Date(Date.now() + request.delayMs)
            : null;
      const dependsOn = [...new Set(request.dependsOn ?? [])];
      if (dependsOn.length > 0) {
        const found = await deps.store.existing(dependsOn);
        const missing = dependsOn.filter((id) => !found.has(id));
        if (missing.length > 0) {
          throw new SbError(
            'E_VALIDATION',
            `dependsOn names unknown tasks: ${missing.join(', ')}`,
            {
              details: { path: '/dependsOn' },
            },
          );
        }
      }
      const blocked = dependsOn.length > 0;
      return batcher.submit({
        id: uuidv7(),
        type: type.name,
        status:
          blocked || (runAt !== null && runAt.getTime() > Date.now()) ? 'scheduled' : 'queued',
        priority: request.priority ?? type.priority,
        input: bytes,
        maxAttempts: type.retry.maxAttempts,
        backoffBaseMs: type.retry.backoffBaseMs,
        backoffMaxMs: type.retry.backoffMaxMs,
        timeoutMs: request.timeoutMs ?? type.timeoutMs,
        submittedBy: caller.principal.id,
        idempotencyKey: request.idempotencyKey ?? null,
        runAt,
        dependsOn,
      });
    },
  };
}

/** The submitter (see {@link createSubmitter}). */
export type Submitter = ReturnType<typeof createSubmitter>;
