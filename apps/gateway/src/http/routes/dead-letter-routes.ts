import {
  AgentIdSchema,
  DeadLetterSchema,
  DeliveryIdSchema,
  DlqGetRpc,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
} from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { callService, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';
import { RouterPageQueryShape } from './router-page-query.ts';

const DeadLetter = DeadLetterSchema.meta({ id: 'DeadLetter' });

// One schema for replay and purge (the router's): listed ids, or every dead letter of an agent.
const SelectionSchema = DlqReplayRpc.request.meta({
  id: 'DeadLetterSelection',
  description:
    '`{ "ids": ["101", "102"] }` (up to 1000) or `{ "agentId": "planner-1" }` for all of one recipient',
});

const router =
  'The message router checks the forwarded caller again; no router running is `E_UNAVAILABLE`.';

/**
 * `/v1/dead-letters`: deliveries that ran out of attempts: list, inspect, replay (a fresh
 * delivery of the same message) and purge.
 */
export function registerDeadLetterRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/dead-letters',
    {
      config: { operatorScope: 'messages:read' },
      schema: {
        tags: ['dead letters'],
        summary: 'List dead letters, newest first',
        description: router,
        querystring: z.strictObject({
          agent: AgentIdSchema.optional().describe("Only this recipient's dead letters"),
          ...RouterPageQueryShape,
        }),
        response: { 200: pageOf(DeadLetter), ...problemResponses },
      },
    },
    async (request) => {
      const { agent, limit, cursor } = request.query;
      return callService('router', context, request, DlqListRpc, { agentId: agent, limit, cursor });
    },
  );

  scope.get(
    '/dead-letters/:id',
    {
      config: { operatorScope: 'messages:read' },
      schema: {
        tags: ['dead letters'],
        summary: 'One dead letter with its message',
        description: `An unknown id is \`E_NOT_FOUND\`. ${router}`,
        params: z.strictObject({ id: DeliveryIdSchema.describe('The dead delivery id') }),
        response: { 200: DeadLetter, ...problemResponses },
      },
    },
    async (request) =>
      callService('router', context, request, DlqGetRpc, { id: request.params.id }),
  );

  scope.post(
    '/dead-letters/replay',
    {
      config: { operatorScope: 'messages:write' },
      schema: {
        tags: ['dead letters'],
        summary: 'Replay dead letters',
        description: `Each selected dead letter is queued again as a fresh delivery (attempts from zero, the same message id, so a recipient that handled it after all drops the copy). \`replayed\` counts them. ${router}`,
        body: SelectionSchema,
        response: {
          200: DlqReplayRpc.response,
          ...problemResponses,
        },
      },
    },
    async (request) => callService('router', context, request, DlqReplayRpc, request.body),
  );

  scope.post(
    '/dead-letters/purge',
    {
      config: { operatorScope: 'messages:write' },
      schema: {
        tags: ['dead letters'],
        summary: 'Delete dead letters for good',
        description: `\`purged\` counts the deleted ones. ${router}`,
        body: SelectionSchema,
        response: { 200: DlqPurgeRpc.response, ...problemResponses },
      },
    },
    async (request) => callService('router', context, request, DlqPurgeRpc, request.body),
  );
}
