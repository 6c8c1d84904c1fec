import {
  AgentIdSchema,
  AgentRecordSchema,
  AgentStatuses,
  LabelsSchema,
  SbError,
} from '@switchboard/protocol';
import { z } from 'zod';
import { DisconnectOutcomeSchema } from '../agent-control.ts';
import { toAgentRecord } from '../agent-record.ts';
import { problemResponses } from '../problem-responses.ts';
import { PageQueryShape, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';

const AgentSchema = AgentRecordSchema.meta({ id: 'Agent' });

const LabelFilter = z.string().regex(/^[^=]+=/, 'use key=value');

const AgentParamsSchema = z.strictObject({ id: AgentIdSchema });

/** `label=k=v` (repeatable) as the labels an agent must all carry. */
function labelsOf(filters: string | string[] | undefined): Record<string, string> | undefined {
  if (filters === undefined) return undefined;
  const pairs = (Array.isArray(filters) ? filters : [filters]).map((filter) => {
    const at = filter.indexOf('=');
    return [filter.slice(0, at), filter.slice(at + 1)] as const;
  });
  const parsed = LabelsSchema.safeParse(Object.fromEntries(pairs));
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new SbError('E_VALIDATION', `the label filter is invalid: ${message}`, {
      details: { fields: [{ field: 'query.label', message }] },
    });
  }
  return parsed.data;
}

/** `/v1/agents`: the agent catalog, one agent, and disconnecting one. */
export function registerAgentRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/agents',
    {
      config: { operatorScope: 'agents:read' },
      schema: {
        tags: ['agents'],
        summary: 'List agents, by id',
        description:
          'Every filter given must hold. Also served over NATS: `<ns>.v1.gateway.agents.query`.',
        querystring: z.strictObject({
          ...PageQueryShape,
          capability: z
            .string()
            .min(1)
            .max(128)
            .optional()
            .describe('Agents that registered a capability of this name'),
          label: z
            .union([LabelFilter, z.array(LabelFilter).max(64)])
            .optional()
            .describe('`key=value`; repeat for several (all must match)'),
          status: z.enum(AgentStatuses).optional(),
        }),
        response: { 200: pageOf(AgentSchema), ...problemResponses },
      },
    },
    async (request) => {
      const { capability, label, status, limit, cursor } = request.query;
      return context
        .runtime()
        .queryAgents({ capability, labels: labelsOf(label), status, limit, cursor });
    },
  );

  scope.get(
    '/agents/:id',
    {
      config: { operatorScope: 'agents:read' },
      schema: {
        tags: ['agents'],
        summary: 'Get one agent',
        params: AgentParamsSchema,
        response: { 200: AgentSchema, ...problemResponses },
      },
    },
    async (request) => {
      const row = await context.runtime().agents.get(request.params.id);
      if (row === undefined) {
        throw new SbError('E_NOT_FOUND', `no agent ${request.params.id} in the catalog`);
      }
      return toAgentRecord(row);
    },
  );

  scope.post(
    '/agents/:id/disconnect',
    {
      config: { operatorScope: 'agents:write' },
      schema: {
        tags: ['agents'],
        summary: 'Disconnect an agent',
        description:
          'Closes its connection on whichever gateway instance holds it (close code 4004, reason `operator`); the agent may reconnect. When no instance holds it, the catalog is corrected.',
        params: AgentParamsSchema,
        response: { 200: DisconnectOutcomeSchema, ...problemResponses },
      },
    },
    async (request) => context.runtime().control.disconnect(request.params.id),
  );
}
