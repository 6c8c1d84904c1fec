import {
  DirectoryEntrySchema,
  DirectorySearchRpc,
  PeerNameSchema,
  PeerRecordSchema,
  PeerStatuses,
  PeersAddRpc,
  PeersGetRpc,
  PeersListRpc,
  PeersRemoveRpc,
} from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { callService, type RouteContext, type ZodScope } from '../route-context.ts';

const PeerRecord = PeerRecordSchema.meta({ id: 'A2aPeer' });
const DirectoryEntry = DirectoryEntrySchema.meta({ id: 'DirectoryEntry' });

const owner = 'Served by the a2a-peer service; none running is `E_UNAVAILABLE`.';

const nameParams = z.strictObject({
  name: PeerNameSchema.describe('The name the peer was registered under'),
});

/**
 * `/v1/a2a`: remote A2A agents (peers) registered by URL, their cards and health, and the
 * directory of agents known here (local ones published over A2A and remote ones).
 */
export function registerPeerRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/a2a/peers',
    {
      config: { operatorScope: 'peers:read' },
      schema: {
        tags: ['a2a'],
        summary: 'List registered A2A peers with their card, status, latency and last contact',
        description: owner,
        querystring: z.strictObject({
          status: z.enum(PeerStatuses).optional().describe('Only peers with this status'),
        }),
        response: { 200: z.strictObject({ items: z.array(PeerRecord) }), ...problemResponses },
      },
    },
    async (request) => callService('a2a', context, request, PeersListRpc, request.query),
  );

  scope.post(
    '/a2a/peers',
    {
      config: { operatorScope: 'peers:write' },
      schema: {
        tags: ['a2a'],
        summary: 'Register (or re-register) a remote A2A agent by the URL of its card',
        description: `The card is fetched (the URL checked against SSRF), validated and, when signed, verified against the JWKS its signature names: a card that does not validate or verify is \`E_VALIDATION\`, an unreachable URL \`E_UNAVAILABLE\`. \`token\` is sent to the peer as a bearer credential and never shown again. ${owner}`,
        body: PeersAddRpc.request,
        response: { 200: PeerRecord, ...problemResponses },
      },
    },
    async (request) => callService('a2a', context, request, PeersAddRpc, request.body),
  );

  scope.get(
    '/a2a/peers/:name',
    {
      config: { operatorScope: 'peers:read' },
      schema: {
        tags: ['a2a'],
        summary: 'One A2A peer',
        description: owner,
        params: nameParams,
        response: { 200: PeerRecord, ...problemResponses },
      },
    },
    async (request) => callService('a2a', context, request, PeersGetRpc, request.params),
  );

  scope.delete(
    '/a2a/peers/:name',
    {
      config: { operatorScope: 'peers:write' },
      schema: {
        tags: ['a2a'],
        summary: 'Forget an A2A peer (its remote tasks stay readable)',
        description: `\`removed\` is false when no peer had that name. ${owner}`,
        params: nameParams,
        response: { 200: PeersRemoveRpc.response, ...problemResponses },
      },
    },
    async (request) => callService('a2a', context, request, PeersRemoveRpc, request.params),
  );

  scope.get(
    '/a2a/directory',
    {
      config: { operatorScope: 'peers:read' },
      schema: {
        tags: ['a2a'],
        summary: 'Search the agents known here: local ones published over A2A and remote peers',
        description: `Every filter given must match; \`address\` is what to send to (an agent id, or \`a2a:<peer>\`). ${owner}`,
        querystring: z.strictObject({
          skill: DirectorySearchRpc.request.shape.skill.describe('Only agents with this skill id'),
          tag: DirectorySearchRpc.request.shape.tag.describe('Only agents with a skill so tagged'),
          status: DirectorySearchRpc.request.shape.status.describe(
            'Only agents with this status (local: connected / disconnected; remote: up / degraded / down / unknown)',
          ),
          q: DirectorySearchRpc.request.shape.q.describe(
            'Words in the name, description or skills',
          ),
          kind: DirectorySearchRpc.request.shape.kind.describe('Only local or only remote agents'),
        }),
        response: {
          200: z.strictObject({ items: z.array(DirectoryEntry) }),
          ...problemResponses,
        },
      },
    },
    async (request) => callService('a2a', context, request, DirectorySearchRpc, request.query),
  );
}
