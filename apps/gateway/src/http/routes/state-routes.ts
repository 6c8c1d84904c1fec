import {
  AgentIdSchema,
  LifecycleGetRpc,
  LifecycleHistoryRpc,
  StateGetRpc,
  StateHistoryRpc,
  StateKeySchema,
  StatePutRpc,
  StateScopeSchema,
  StateSummaryRpc,
  StateVersionSchema,
} from '@switchboard/protocol';
import { z } from 'zod';
import { SERVICE_AUTHORIZED } from '../operator-auth.ts';
import { problemResponses } from '../problem-responses.ts';
import { callService, type RouteContext, type ZodScope } from '../route-context.ts';

const params = z.strictObject({
  scope: StateScopeSchema.describe(
    "A state scope: dotted tokens (`team.alpha`) or an agent's own `agent:<agentId>`; URL-encode it",
  ),
  key: StateKeySchema.describe('A key inside the scope; URL-encode it (`/` as `%2F`)'),
});

const authorization =
  'The state service authorizes the caller (no operator scope): reads need a `state` grant with `read` access on the scope, writes one with `write` (the admin role has both everywhere); otherwise `E_FORBIDDEN`.';

const versionPageQuery = (what: string) =>
  z.strictObject({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe(`${what} per page (1 to 500, default 50)`),
    cursor: z
      .string()
      .regex(/^\d+$/)
      .optional()
      .describe('`nextCursor` of the previous page; omit for the newest'),
  });

/**
 * `/v1/state/:scope[/:key]`: a scope's keys, and read, write and page through the history of a
 * state document; `/v1/agents/:agentId/lifecycle[/history]`: an agent's lifecycle. All through
 * the state service's RPCs; without a running state service the answer is `E_UNAVAILABLE`.
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
      return callService('state', context, request, StateGetRpc, {
        scope: request.params.scope,
        key: request.params.key,
      });
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
      return callService('state', context, request, StatePutRpc, {
        scope: request.params.scope,
        key: request.params.key,
        document: request.body.document,
        expectedVersion: request.body.expectedVersion,
      });
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
        querystring: versionPageQuery('Versions'),
        response: { 200: StateHistoryRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      return callService('state', context, request, StateHistoryRpc, {
        scope: request.params.scope,
        key: request.params.key,
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );

  scope.get(
    '/state/:scope',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['state'],
        summary: "A scope's current keys and their versions, most recently written first",
        description: `Never the documents; \`truncated\` when the scope holds more than \`limit\` keys. ${authorization}`,
        params: z.strictObject({ scope: params.shape.scope }),
        querystring: z.strictObject({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(1000)
            .default(100)
            .describe('Keys to list (1 to 1000, default 100)'),
        }),
        response: { 200: StateSummaryRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      return callService('state', context, request, StateSummaryRpc, {
        scope: request.params.scope,
        limit: request.query.limit,
      });
    },
  );

  const agentParams = z.strictObject({ agentId: AgentIdSchema });
  const lifecycleAuthorization =
    "The state service authorizes the caller: a `state` grant with `read` on the agent's scope `agent:<agentId>` (the admin role has it).";

  scope.get(
    '/agents/:agentId/lifecycle',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['agents'],
        summary: "An agent's lifecycle status and its version",
        description: `An agent never seen is \`registered\` at version 0. ${lifecycleAuthorization}`,
        params: agentParams,
        response: { 200: LifecycleGetRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      return callService('state', context, request, LifecycleGetRpc, {
        agentId: request.params.agentId,
      });
    },
  );

  scope.get(
    '/agents/:agentId/lifecycle/history',
    {
      config: { operatorScope: SERVICE_AUTHORIZED },
      schema: {
        tags: ['agents'],
        summary: "An agent's lifecycle transitions, newest first",
        description: lifecycleAuthorization,
        params: agentParams,
        querystring: versionPageQuery('Transitions'),
        response: { 200: LifecycleHistoryRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      return callService('state', context, request, LifecycleHistoryRpc, {
        agentId: request.params.agentId,
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );
}
