import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the state service lives in the `state` Postgres schema. */
export const stateSchema = pgSchema('state');
