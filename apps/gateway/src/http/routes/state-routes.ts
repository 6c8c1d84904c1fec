import { encodePrincipal } from '@switchboard/authz';
import {
  StateGetRpc,
  StateHistoryRpc,
  StateKeySchema,
  StatePutRpc,
  StateScopeSchema,
  StateVersionSchema,
} from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SERVICE_AUTHORIZED } from '../operator-auth.ts';
import { problemResponses } from '../problem-responses.ts';
import { principalOf, type RouteContext, type ZodScope } from '../route-context.ts';

const params = z.strictObject({
  scope: StateScopeSchema.describe(
    "A state scope: dotted tokens (`team.alpha`) or an agent's own `agent:<agentId>`; URL-encode it",
  ),
  key: StateKeySchema.describe('A key inside the scope; URL-encode it (`/` as `%2F`)'),
});

const authorization =
  'The state service authorizes the caller (no operator scope): reads need a `state` grant with `read` access on the scope, writes one with `write` (the admin role has both everywhere); otherwise `E_FORBIDDEN`.';

/** The caller, forwarded so that the state service checks its own `state` grants. */
function callOptions(request: FastifyRequest) {
  return { principal: encodePrincipal(principalOf(request)) };
}

/**
 * `/v1/state/:scope/:key`: read, write and page through the history of a shared state document
 * through the state service's `get | put | history` RPCs; without a running state service the
 * answer is `E_UNAVAILABLE`.
 */
export function registerStateRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/state/:scope/:key',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['state'],
        summary: 'A state document and its version',
        description: `An absent or deleted key is \`E_NOT_FOUND\`. ${authorization}`,
        params,
        response: { 200: StateGetRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      return bus.request(
        bus.subjects.rpc('state', StateGetRpc.operation),
        StateGetRpc,
        { scope: request.params.scope, key: request.params.key },
        callOptions(request),
      );
    },
  );

  scope.put(
    '/state/:scope/:key',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['state'],
        summary: 'Replace a state document',
        description: `\`expectedVersion\` is the version the write replaces (0: the key must not exist or was deleted); a stale one is \`E_CONFLICT\` with \`details { currentVersion, document }\` unless the scope's policy is last-writer-wins. ${authorization}`,
        params,
        body: z.strictObject({
          document: z
            .json()
            .refine((value) => value !== undefined, 'give a document')
            .describe('The new document, as JSON'),
          expectedVersion: StateVersionSchema.describe(
            'The current version (0 when the key does not exist)',
          ),
        }),
        response: { 200: StatePutRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      return bus.request(
        bus.subjects.rpc('state', StatePutRpc.operation),
        StatePutRpc,
        {
          scope: request.params.scope,
          key: request.params.key,
          document: request.body.document,
          expectedVersion: request.body.expectedVersion,
        },
        callOptions(request),
      );
    },
  );

  scope.get(
    '/state/:scope/:key/history',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['state'],
        summary: "A state key's kept versions, newest first",
        description: `Deletes appear with a null document. ${authorization}`,
        params,
        querystring: z.strictObject({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(500)
            .default(50)
            .describe('Versions per page (1 to 500, default 50)'),
          cursor: z
            .string()
            .regex(/^\d+$/)
            .optional()
            .describe('`nextCursor` of the previous page; omit for the newest versions'),
        }),
        response: { 200: StateHistoryRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      const { limit, cursor } = request.query;
      return bus.request(
        bus.subjects.rpc('state', StateHistoryRpc.operation),
        StateHistoryRpc,
        {
          scope: request.params.scope,
          key: request.params.key,
          limit,
          ...(cursor === undefined ? {} : { cursor }),
        },
        callOptions(request),
      );
    },
  );
}
