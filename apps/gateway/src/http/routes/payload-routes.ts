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
 * `POST /v1/payloads/:service/reencrypt`: one step of the service's re-encryption job (its
 * `payloads.reencrypt` RPC, operator scope `payloads:write`); call again until `done`.
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
          'One replica works for up to `payloads.reencrypt.budgetMs`, then answers how many payloads it moved and how many remain; call again until `done`. Safe to repeat and to run while the service serves traffic.',
        params: z.strictObject({
          service: z
            .string()
            .min(1)
            .max(32)
            .describe(`One of ${PAYLOAD_SERVICES.join(', ')}`),
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
        {},
        { principal: encodePrincipal(principalOf(request)) },
      );
    },
  );
}
