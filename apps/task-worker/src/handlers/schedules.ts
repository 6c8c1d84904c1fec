import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import { encodePayload } from '@switchboard/db';
import {
  type JsonValue,
  type TaskChange,
  TaskScheduleDeleteRpc,
  TaskScheduleListRpc,
  TaskSchedulePutRpc,
} from '@switchboard/protocol';
import { serveAs } from '@switchboard/service';
import { v7 as uuidv7 } from 'uuid';
import { assertTaskAccess } from '../caller.ts';
import type { DueSchedule, ScheduleStore } from '../db/schedule-store.ts';
import type { NewTask } from '../db/task-store.ts';
import { nextTick } from '../domain/cron.ts';
import type { InputValidator } from '../input-validator.ts';
import type { TypeRegistry } from '../type-registry.ts';

/**
 * Cron schedules: the RPCs that keep them, and `fire`, which the sweep runs to submit the task of
 * every schedule whose tick has come (then moves it to its next tick after now: ticks missed
 * while no replica ran are not made up).
 */
export function createSchedules(deps: {
  bus: Bus;
  store: ScheduleStore;
  types: TypeRegistry;
  validator: InputValidator;
  publish: (changes: readonly TaskChange[]) => void;
}) {
  const { bus, store, types } = deps;

  async function plan(due: DueSchedule[]): Promise<Array<{ task: NewTask; nextRunAt: Date }>> {
    const now = new Date();
    return Promise.all(
      due.map(async (schedule) => {
        const type = await types.get(schedule.type);
        const tick = new Date(schedule.nextRunAt);
        return {
          task: {
            id: uuidv7(),
            type: type.name,
            status: 'queued' as const,
            priority: schedule.priority ?? type.priority,
            input: encodePayload(schedule.input),
            maxAttempts: type.retry.maxAttempts,
            backoffBaseMs: type.retry.backoffBaseMs,
            backoffMaxMs: type.retry.backoffMaxMs,
            timeoutMs: type.timeoutMs,
            submittedBy: schedule.createdBy,
            idempotencyKey: `schedule:${schedule.name}:${tick.toISOString()}`,
            runAt: null,
            dependsOn: [],
          },
          nextRunAt: nextTick(schedule.cron, schedule.timezone, tick > now ? tick : now),
        };
      }),
    );
  }

  const serve = serveAs(bus, 'tasks');

  return {
    /** Submits the tasks of the schedules whose tick has come; returns the tasks' changes. */
    async fire(limit: number): Promise<void> {
      deps.publish(await store.fireDue(limit, plan));
    },

    serve(): BusSubscription[] {
      return [
        serve(TaskSchedulePutRpc, async (request, caller) => {
          const type = await types.get(request.type);
          assertTaskAccess(caller, type.name, 'submit');
          const input = (request.input ?? null) as JsonValue;
          deps.validator.check(type, input);
          const timezone = request.timezone ?? 'UTC';
          return store.put({
            name: request.name,
            type: type.name,
            cron: request.cron,
            timezone,
            input: encodePayload(input),
            priority: request.priority ?? null,
            nextRunAt: nextTick(request.cron, timezone, new Date()),
            createdBy: caller.principal.id,
          });
        }),
        serve(TaskScheduleListRpc, async (_request, caller) => {
          const all = await store.list();
          if (caller.agentId === null) {
            assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:read' });
            return { items: all };
          }
          // An agent sees the schedules of the types it may read.
          return {
            items: all.filter((schedule) => {
              try {
                assertTaskAccess(caller, schedule.type, 'read');
                return true;
              } catch {
                return false;
              }
            }),
          };
        }),
        serve(TaskScheduleDeleteRpc, async (request, caller) => {
          const schedule = await store.get(request.name);
          if (schedule === undefined) {
            if (caller.agentId === null) {
              assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:write' });
            }
            return { removed: false };
          }
          assertTaskAccess(caller, schedule.type, 'submit');
          return { removed: await store.delete(request.name) };
        }),
      ];
    },
  };
}

/** The cron schedules (see {@link createSchedules}). */
export type Schedules = ReturnType<typeof createSchedules>;
