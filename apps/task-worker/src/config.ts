import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { listenSettings } from '@switchboard/service';
import { z } from 'zod';

/** The task worker's settings: the shared sections plus its own under `tasks` (`SB_TASKS__*`). */
export const tasksConfig = defineServiceConfig({
  service: 'tasks',
  section: z.strictObject({ ...listenSettings('tasks') }),
  live: [],
});

/** The task worker's validated configuration. */
export type TasksConfig = ConfigOf<typeof tasksConfig>;
