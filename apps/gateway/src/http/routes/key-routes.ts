import { AuthChangedEventSchema, GrantSchema, RoleNameSchema } from '@switchboard/authz';
import { AgentIdSchema, SbError } from '@switchboard/protocol';
import { z } from 'zod';
import type { ApiKeyRecord } from '../../db/api-key-store.ts';
import type { OperatorRuntime } from '../operator-runtime.ts';
import { problemResponses } from '../problem-responses.ts';
import {
  PageQueryShape,
  pageOf,
  principalOf,
  type RouteContext,
  type ZodScope,
} from '../route-context.ts';

/** An API key as operators see it: never the token, never its hash. */
export const ApiKeySchema = z
  .strictObject({
    id: z.string().describe('The public key id (part of the token: `sbk_<id>_<secret>`)'),
    name: z.string(),
    status: z.enum(['active', 'revoked', 'expired']),
    agentIds: z.array(z.string()).describe('Agent ids the key may act as (`*`: any)'),
    roles: z.array(z.string()),
    grants: z.array(GrantSchema),
    createdAt: z.iso.datetime(),
    createdBy: z.string().describe('The principal that created it'),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

const NewApiKeySchema = z.strictObject({
  name: z.string().min(1).max(128).describe('What the key is for, for people'),
  agentIds: z
    .array(z.union([AgentIdSchema, z.literal('*')]))
    .max(256)
    .default([])
    .describe('Agent ids the key may connect and act as; `*` means any'),
  roles: z
    .array(RoleNameSchema)
    .max(32)
    .default([])
    .describe('Role names: built-in `admin`, `agent`, `observer`, or a custom role (`/v1/roles`)'),
  grants: z.array(GrantSchema).max(256).default([]).describe('Grants beside those of the roles'),
  expiresAt: z.iso.datetime().optional().describe('When the key stops working (ISO 8601)'),
});

const KeyParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });

function toApiKey(record: ApiKeyRecord, now: Date): z.infer<typeof ApiKeySchema> {
  const status =
    record.revokedAt !== null
      ? 'revoked'
      : record.expiresAt !== null && record.expiresAt <= now
        ? 'expired'
        : 'active';
  return {
    id: record.id,
    name: record.name,
    status,
    agentIds: record.agentIds,
    roles: record.roles,
    grants: record.grants,
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

function notFound(id: string): SbError {
  return new SbError(
    'E_NOT_FOUND',
    id === 'bootstrap'
      ? 'the bootstrap key lives in config: remove gateway.auth.bootstrapKeySha256 to retire it'
      : `no API key ${id}`,
  );
}

async function announce(runtime: OperatorRuntime, keyId: string, change: 'created' | 'revoked') {
  await runtime.bus.publishEvent(
    runtime.bus.subjects.event('auth', 'changed'),
    AuthChangedEventSchema,
    { keyId, change, at: new Date().toISOString() },
  );
}

/** `/v1/keys`: create (the token is shown once), list, get and revoke API keys. */
export function registerKeyRoutes(scope: ZodScope, context: RouteContext): void {
  scope.post(
    '/keys',
    {
      config: { operatorScope: 'keys:write' },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        description:
          'The token is in this response and nowhere else: the gateway keeps only its SHA-256.',
        body: NewApiKeySchema,
        response: {
          201: z.strictObject({
            token: z.string().describe('The secret: shown once, store it now'),
            key: ApiKeySchema,
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const runtime = context.runtime();
      const body = request.body;
      const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
      if (expiresAt !== undefined && expiresAt <= new Date()) {
        throw new SbError('E_VALIDATION', 'expiresAt is in the past: give a future time', {
          details: { fields: [{ field: 'body.expiresAt', message: 'must be in the future' }] },
        });
      }
      const created = await runtime.keys.create({
        name: body.name,
        agentIds: body.agentIds,
        roles: body.roles,
        grants: body.grants,
        createdBy: principalOf(request).id,
        expiresAt,
      });
      request.log.info({ keyId: created.record.id }, 'API key created');
      await announce(runtime, created.record.id, 'created');
      return reply
        .code(201)
        .send({ token: created.token, key: toApiKey(created.record, new Date()) });
    },
  );

  scope.get(
    '/keys',
    {
      config: { operatorScope: 'keys:read' },
      schema: {
        tags: ['keys'],
        summary: 'List API keys, newest first',
        querystring: z.strictObject({
          ...PageQueryShape,
          includeRevoked: z
            .stringbool()
            .default(false)
            .describe('List revoked keys too (default false)'),
        }),
        response: { 200: pageOf(ApiKeySchema), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, includeRevoked } = request.query;
      const page = await context.runtime().keys.list({ limit, cursor, includeRevoked });
      const now = new Date();
      return {
        items: page.keys.map((key) => toApiKey(key, now)),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  scope.get(
    '/keys/:id',
    {
      config: { operatorScope: 'keys:read' },
      schema: {
        tags: ['keys'],
        summary: 'Get one API key',
        params: KeyParamsSchema,
        response: { 200: ApiKeySchema, ...problemResponses },
      },
    },
    async (request) => {
      const record = await context.runtime().keys.get(request.params.id);
      if (record === undefined) throw notFound(request.params.id);
      return toApiKey(record, new Date());
    },
  );

  scope.delete(
    '/keys/:id',
    {
      config: { operatorScope: 'keys:write' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key',
        description:
          'Idempotent. The key stops resolving at once; agents connected with it are disconnected (reason `credential_revoked`) on every gateway instance.',
        params: KeyParamsSchema,
        response: { 200: ApiKeySchema, ...problemResponses },
      },
    },
    async (request) => {
      const runtime = context.runtime();
      const record = await runtime.keys.revoke(request.params.id);
      if (record === undefined) throw notFound(request.params.id);
      request.log.info({ keyId: record.id }, 'API key revoked');
      // Here at once; the event reaches the other replicas (and this one again: a no-op).
      runtime.control.closeConnectionsOfKey(record.id);
      await announce(runtime, record.id, 'revoked');
      return toApiKey(record, new Date());
    },
  );
}
