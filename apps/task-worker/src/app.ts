import { fileURLToPath } from 'node:url';
import type { BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import { loadRecordCodec } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import { AgentConnectedEventSchema, AgentDisconnectedEventSchema } from '@switchboard/protocol';
import {
  createService,
  payloadCompressionMetrics,
  reportUndecryptable,
  type Service,
  type ServiceConnections,
  servePayloadReencryption,
} from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import { createChangePublisher } from './change-publisher.ts';
import type { TasksConfig } from './config.ts';
import { createExecutorStore } from './db/executor-store.ts';
import { createScheduleStore } from './db/schedule-store.ts';
import { createTaskQueries } from './db/task-queries.ts';
import { createTaskRetention } from './db/task-retention.ts';
import { taskPayloadTables } from './db/task-row.ts';
import { createTaskStore } from './db/task-store.ts';
import { createTypeStore } from './db/type-store.ts';
import { createDispatcher } from './dispatcher.ts';
import { createExecutorDirectory } from './executor-directory.ts';
import { createReporter } from './handlers/report.ts';
import { createSchedules } from './handlers/schedules.ts';
import { serveTaskRpcs } from './handlers/serve.ts';
import { createSubmitter } from './handlers/submit.ts';
import { createInputValidator } from './input-validator.ts';
import { startSweeper } from './sweeper.ts';
import { startTaskCensus } from './task-census.ts';
import { createTaskMetrics, type TaskMetrics } from './task-metrics.ts';
import { createTypeRegistry } from './type-registry.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the task worker; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<TasksConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.tasks;
  let metrics: TaskMetrics | undefined;
  const stops: Array<() => Promise<void>> = [];

  return createService({
    service: 'tasks',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.tasks,
    register: async ({ bus, db, cache, metrics: registry, security }) => {
      const taskMetrics = createTaskMetrics(registry);
      metrics = taskMetrics;
      const codec = reportUndecryptable(
        await loadRecordCodec(config.current.payloads, payloadCompressionMetrics(registry)),
        security,
      );
      const store = createTaskStore(db, bus.subjects.namespace, codec);
      const queries = createTaskQueries(db, codec);
      const cacheMs = () => settings().executorCacheMs;
      const types = createTypeRegistry(createTypeStore(db), cacheMs);
      const executors = createExecutorDirectory({
        bus,
        cache,
        store: createExecutorStore(db),
        cacheMs,
      });
      const publish = createChangePublisher(bus, log.child({ component: 'events' }));
      const dispatcher = createDispatcher({
        bus,
        store,
        codec,
        types,
        executors,
        publish,
        settings,
        metrics: taskMetrics,
        log: log.child({ component: 'dispatch' }),
      });
      const reporter = createReporter({
        store,
        dispatcher,
        publish,
        settings,
        metrics: taskMetrics,
      });
      const validator = createInputValidator();
      const schedules = createSchedules({
        bus,
        store: createScheduleStore(db, codec),
        types,
        validator,
        publish,
      });
      const rpcs: BusSubscription[] = [
        servePayloadReencryption({
          bus,
          service: 'tasks',
          database: db,
          codec,
          tables: taskPayloadTables,
          settings: () => config.current.payloads.reencrypt,
          log: log.child({ component: 'payloads' }),
        }),
        ...serveTaskRpcs({
          bus,
          store,
          codec,
          queries,
          types,
          validator,
          executors,
          submitter: createSubmitter({
            store,
            types,
            validator,
            dispatcher,
            publish,
            settings,
            metrics: taskMetrics,
          }),
          reporter,
          dispatcher,
          publish,
          settings,
          log: log.child({ component: 'rpcs' }),
        }),
      ];
      rpcs.push(...schedules.serve());
      // Every replica listens (no durable name): any of them may dispatch to the agent.
      rpcs.push(
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('agent', 'connected'),
          schema: AgentConnectedEventSchema,
          handler: async () => dispatcher.wake(),
        }),
        // Shared by the replicas (durable): an ended connection's declarations go once, so the
        // executor list holds connected agents only, not every agent that ever declared.
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('agent', 'disconnected'),
          schema: AgentDisconnectedEventSchema,
          durableName: 'tasks-executors',
          handler: async (event) =>
            executors.disconnected(event.payload.agentId, event.payload.connectionId),
        }),
      );
      const sweeper = startSweeper({
        store,
        retention: createTaskRetention(db),
        reporter,
        schedules,
        dispatcher,
        publish,
        settings,
        metrics: taskMetrics,
        log: log.child({ component: 'sweep' }),
      });
      const census = startTaskCensus({
        queries,
        metrics: taskMetrics,
        settings,
        log: log.child({ component: 'census' }),
      });
      stops.push(
        async () => {
          await Promise.all(rpcs.map((subscription) => subscription.stop()));
        },
        () => census.stop(),
        () => sweeper.stop(),
        () => dispatcher.stop(),
      );
    },
    unregister: async () => {
      for (const stop of stops.splice(0)) await stop();
    },
    stats: () => metrics?.stats() ?? {},
  });
}
