import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the task worker lives in the `tasks` Postgres schema. */
export const tasksSchema = pgSchema('tasks');
