import { SecurityEventKinds, SecurityEventSchema } from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { PageQueryShape, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';

const SecurityEventOutSchema = SecurityEventSchema.meta({ id: 'SecurityEvent' });

const kindList = z
  .string()
  .transform((value) => value.split(',').map((kind) => kind.trim()))
  .pipe(z.array(z.enum(SecurityEventKinds)).min(1));

/** `GET /v1/security/events`: the mesh's stored security events, newest first. */
export function registerSecurityRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/security/events',
    {
      config: { operatorScope: 'security:read' },
      schema: {
        tags: ['security'],
        summary: 'List security events, newest first',
        description:
          'Refused credentials, revoked keys presented, forbidden actions, rate-limit hits, payloads that did not decrypt and detector alerts, from every service, kept `gateway.security.retentionMs`.',
        querystring: z.strictObject({
          ...PageQueryShape,
          kind: kindList
            .optional()
            .describe(`Only these kinds, comma-separated (${SecurityEventKinds.join(', ')})`),
          principal: z
            .string()
            .min(1)
            .max(300)
            .optional()
            .describe('Only events of this principal (`key:<id>`) or credential id'),
          ip: z.string().min(1).max(64).optional().describe('Only events from this client address'),
          since: z.iso.datetime().optional().describe('Only events at or after this time'),
          until: z.iso.datetime().optional().describe('Only events at or before this time'),
        }),
        response: { 200: pageOf(SecurityEventOutSchema), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, kind, principal, ip, since, until } = request.query;
      return context.runtime().securityEvents.query({
        limit,
        cursor,
        kinds: kind,
        principal,
        ip,
        since: since === undefined ? undefined : new Date(since),
        until: until === undefined ? undefined : new Date(until),
      });
    },
  );
}
