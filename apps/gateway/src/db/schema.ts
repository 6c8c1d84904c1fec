import { pgSchema } from 'drizzle-orm/pg-core';

/** Every table of the gateway lives in the `gateway` Postgres schema. */
export const gatewaySchema = pgSchema('gateway');
