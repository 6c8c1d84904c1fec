import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the tool registry lives in the `tools` Postgres schema. */
export const toolsSchema = pgSchema('tools');
