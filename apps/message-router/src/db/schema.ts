import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the message router lives in the `router` Postgres schema. */
export const routerSchema = pgSchema('router');
