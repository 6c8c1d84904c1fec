import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Every table of the gateway lives in the `gateway` Postgres schema. */
export const gatewaySchema = pgSchema('gateway');

/**
 * API keys: the public key id, the SHA-256 of the token (never the token), what the key may act
 * as (agent ids, roles, grants), and its lifecycle. Revoked keys stay for the audit trail.
 */
export const apiKeys = gatewaySchema.table(
  'api_keys',
  {
    id: text().primaryKey(),
    sha256: text().notNull(),
    name: text().notNull(),
    agentIds: text().array().notNull().default(sql`'{}'::text[]`),
    roles: text().array().notNull().default(sql`'{}'::text[]`),
    grants: jsonb().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (table) => [index('api_keys_created_at_idx').on(table.createdAt)],
);

/**
 * The agent catalog: what each agent registered, and whether it is connected (and where). The
 * lifecycle state machine is the state service's; this is connection status only.
 */
export const agents = gatewaySchema.table(
  'agents',
  {
    id: text().primaryKey(),
    name: text().notNull(),
    version: text().notNull(),
    description: text(),
    capabilities: jsonb().notNull().default(sql`'[]'::jsonb`),
    labels: jsonb().notNull().default(sql`'{}'::jsonb`),
    /** The principal that registered it last (`key:<id>` or `jwt:<sub>`). */
    registeredBy: text().notNull(),
    registeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    connected: boolean().notNull().default(false),
    gatewayId: text(),
    connectionId: text(),
    connectedAt: timestamp({ withTimezone: true }),
    disconnectedAt: timestamp({ withTimezone: true }),
    disconnectReason: text(),
  },
  (table) => [
    index('agents_connected_idx').on(table.connected),
    index('agents_gateway_idx').on(table.gatewayId),
  ],
);

/**
 * Security events of the whole mesh (`<ns>.v1.evt.security.>`), kept `gateway.security.retentionMs`:
 * ids and short facts only, never tokens or payloads. Listed newest first.
 */
export const securityEvents = gatewaySchema.table(
  'security_events',
  {
    id: uuid().primaryKey(),
    kind: text().notNull(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    service: text().notNull(),
    principal: text(),
    credentialId: text(),
    ip: text(),
    path: text(),
    code: text(),
    detail: text(),
    facts: jsonb(),
  },
  (table) => [
    index('security_events_at_idx').on(table.at, table.id),
    index('security_events_kind_at_idx').on(table.kind, table.at),
    index('security_events_principal_idx').on(table.principal),
    index('security_events_credential_idx').on(table.credentialId),
    index('security_events_ip_idx').on(table.ip),
  ],
);

/**
 * Custom roles: named sets of grants that API keys and JWTs name in their `roles`, beside the
 * built-in `admin`, `agent` and `observer` (which cannot be redefined). Read on every credential
 * resolution, so a change applies to the next request.
 */
export const roles = gatewaySchema.table('roles', {
  name: text().primaryKey(),
  grants: jsonb().notNull().default(sql`'[]'::jsonb`),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedBy: text().notNull(),
});
