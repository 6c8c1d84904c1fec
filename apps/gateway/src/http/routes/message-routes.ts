import {
  AgentIdSchema,
  MessageIdSchema,
  MessageRecordSchema,
  OutgoingMessageSchema,
  RouterHistoryRpc,
  RouterMessageGetRpc,
  RouterSendRpc,
  SendResultSchema,
  TopicPatternSchema,
} from '@switchboard/protocol';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { callService, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';
import { RouterPageQueryShape } from './router-page-query.ts';

const MessageSchema = MessageRecordSchema.meta({ id: 'Message' });

const SendBodySchema = OutgoingMessageSchema.extend({
  id: MessageIdSchema.optional().describe(
    'Your id for the message (a UUID): sending the same id again stores it once. Default: a new UUIDv7',
  ),
}).meta({ id: 'OutgoingMessage' });

const HistoryQuerySchema = z.strictObject({
  agent: AgentIdSchema.optional().describe('Messages this agent sent or was sent'),
  topic: TopicPatternSchema.optional().describe(
    'Topic messages whose topic matches: exact (`jobs.build`) or a pattern (`jobs.*`, `jobs.>`)',
  ),
  conversation: z.string().min(1).max(128).optional().describe('Messages of one conversation id'),
  since: z.iso.datetime().optional().describe('Accepted at or after this time (ISO 8601, UTC)'),
  until: z.iso.datetime().optional().describe('Accepted before this time (ISO 8601, UTC)'),
  ...RouterPageQueryShape,
});

const router =
  'The message router checks the caller again (it is forwarded as the principal): its own rules can refuse with `E_FORBIDDEN`; no router running is `E_UNAVAILABLE`.';

/** `/v1/messages`: send as the operator, search the history, one message with its deliveries. */
export function registerMessageRoutes(scope: ZodScope, context: RouteContext): void {
  scope.post(
    '/messages',
    {
      config: { operatorScope: 'messages:write' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message as the operator',
        description: `Answers once the message and its deliveries are stored (202: delivery follows). \`to\` is \`{ kind: "agent", agentId }\`, \`{ kind: "topic", topic }\`, \`{ kind: "broadcast", capability?, labels? }\` or \`{ kind: "anycast", capability, labels?, strategy? }\`. Re-sending an id answers \`duplicate: true\`. An unknown agent or no anycast candidate is \`E_NOT_FOUND\`. ${router}`,
        body: SendBodySchema,
        response: { 202: SendResultSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { id, ...message } = request.body;
      const result = await callService('router', context, request, RouterSendRpc, {
        message: { ...message, id: id ?? uuidv7() },
      });
      return reply.code(202).send(result);
    },
  );

  scope.get(
    '/messages',
    {
      config: { operatorScope: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: 'Search the message history, newest first',
        description: `Every filter given must hold. ${router}`,
        querystring: HistoryQuerySchema,
        response: { 200: pageOf(MessageSchema), ...problemResponses },
      },
    },
    async (request) => {
      const { agent, topic, conversation, since, until, limit, cursor } = request.query;
      return callService('router', context, request, RouterHistoryRpc, {
        agentId: agent,
        topic,
        conversationId: conversation,
        since,
        until,
        limit,
        cursor,
      });
    },
  );

  scope.get(
    '/messages/:id',
    {
      config: { operatorScope: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: 'One message with its deliveries',
        description: `An unknown id is \`E_NOT_FOUND\`. ${router}`,
        params: z.strictObject({ id: MessageIdSchema }),
        response: {
          200: RouterMessageGetRpc.response.meta({ id: 'MessageWithDeliveries' }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      callService('router', context, request, RouterMessageGetRpc, { id: request.params.id }),
  );
}
