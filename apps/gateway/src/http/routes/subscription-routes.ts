import {
  AgentIdSchema,
  RouterSubscribeRpc,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
  SubscriptionFilterSchema,
  SubscriptionSchema,
  TopicPatternSchema,
} from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import type { RouteContext, ZodScope } from '../route-context.ts';
import { callService } from '../route-context.ts';

const Subscription = SubscriptionSchema.meta({ id: 'Subscription' });

const params = z.strictObject({ agentId: AgentIdSchema.describe('The subscribing agent') });

const pattern = TopicPatternSchema.describe(
  'A topic pattern: dotted tokens, `*` for one token, `>` (last) for the rest',
);

const router =
  'Subscriptions are stored by the message router and outlive connections; it checks the forwarded caller again. No router running is `E_UNAVAILABLE`.';

/** `/v1/agents/:agentId/subscriptions`: operators list and manage an agent's subscriptions. */
export function registerSubscriptionRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/agents/:agentId/subscriptions',
    {
      config: { operatorScope: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: "An agent's topic subscriptions",
        description: router,
        params,
        response: {
          200: z.strictObject({ items: z.array(Subscription) }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      callService('router', context, request, RouterSubscriptionsRpc, {
        agentId: request.params.agentId,
      }),
  );

  scope.put(
    '/agents/:agentId/subscriptions',
    {
      config: { operatorScope: 'messages:write' },
      schema: {
        tags: ['messages'],
        summary: 'Subscribe an agent to a topic pattern',
        description: `Subscribing to a pattern the agent already holds replaces its filter. A filter names headers a message must carry: \`{ "headers": { "region": ["eu", "us"] } }\`. ${router}`,
        params,
        body: z.strictObject({
          pattern,
          filter: SubscriptionFilterSchema.optional().describe(
            'Only messages whose headers match (each named header equal to the value or one of the values)',
          ),
        }),
        response: { 200: Subscription, ...problemResponses },
      },
    },
    async (request) =>
      callService('router', context, request, RouterSubscribeRpc, {
        agentId: request.params.agentId,
        pattern: request.body.pattern,
        filter: request.body.filter,
      }),
  );

  scope.delete(
    '/agents/:agentId/subscriptions',
    {
      config: { operatorScope: 'messages:write' },
      schema: {
        tags: ['messages'],
        summary: 'Unsubscribe an agent from a topic pattern',
        description: `\`removed\` is false when the agent held no subscription of that pattern. ${router}`,
        params,
        querystring: z.strictObject({ pattern }),
        response: {
          200: RouterUnsubscribeRpc.response,
          ...problemResponses,
        },
      },
    },
    async (request) =>
      callService('router', context, request, RouterUnsubscribeRpc, {
        agentId: request.params.agentId,
        pattern: request.query.pattern,
      }),
  );
}
