import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the A2A peer lives in the `a2a` Postgres schema. */
export const a2aSchema = pgSchema('a2a');
