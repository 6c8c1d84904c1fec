import { encodePrincipal } from '@switchboard/authz';
import { PayloadsReencryptRpc, SbError, type ServiceShortName } from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { principalOf, type RouteContext, type ZodScope } from '../route-context.ts';

/** The services that store user payloads (DESIGN.md, Payloads) and serve `payloads.reencrypt`. */
export const PAYLOAD_SERVICES = [
  'router',
  'state',
  'tasks',
  'tools',
  'a2a',
] as const satisfies readonly ServiceShortName[];

function payloadServiceOf(service: string): (typeof PAYLOAD_SERVICES)[number] {
  const known = PAYLOAD_SERVICES.find((name) => name === service);
  if (known !== undefined) return known;
  throw new SbError(
    'E_NOT_FOUND',
    `service ${service} stores no payloads; those that do are ${PAYLOAD_SERVICES.join(', ')}`,
  );
}

/**
 * `POST /v1/payloads/:service/reencrypt[?cursor=...]`: one step of the service's re-encryption
 * walk (its `payloads.reencrypt` RPC, operator scope `payloads:write`).
 */
export function registerPayloadRoutes(scope: ZodScope, context: RouteContext): void {
  scope.post(
    '/payloads/:service/reencrypt',
    {
      config: { operatorScope: 'payloads:write' },
      schema: {
        tags: ['payloads'],
        summary: "Move a service's stored payloads to the active encryption key, one step",
        description:
          'One replica walks on from `cursor` for up to `payloads.reencrypt.budgetMs`, then answers how many payloads it moved and the `cursor` to go on from; call again with it until it is null. The last step counts what `remaining` (rows being written while the walk passed: walk again) and says `done`. Safe to repeat, and to run while the service serves traffic.',
        params: z.strictObject({
          service: z
            .string()
            .min(1)
            .max(32)
            .describe(`One of ${PAYLOAD_SERVICES.join(', ')}`),
        }),
        querystring: z.strictObject({
          cursor: z
            .string()
            .min(1)
            .max(4096)
            .optional()
            .describe('The `cursor` of the previous step; absent: from the start'),
        }),
        response: { 200: PayloadsReencryptRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      const service = payloadServiceOf(request.params.service);
      return bus.request(
        bus.subjects.rpc(service, PayloadsReencryptRpc.operation),
        PayloadsReencryptRpc,
        request.query.cursor === undefined ? {} : { cursor: request.query.cursor },
        { principal: encodePrincipal(principalOf(request)) },
      );
    },
  );
}
