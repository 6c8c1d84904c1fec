import { encodePrincipal } from '@switchboard/authz';
import { MAX_ROUTER_PAGE, type RpcDefinition } from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf, type RouteContext } from '../route-context.ts';

/**
 * Calls the message router's `rpc` as the caller: the principal goes in `sb-principal`, so the
 * router applies its own rules (operators need `messages:*`, an agent sees only its own) besides
 * the route's operator scope. No router running is `E_UNAVAILABLE`.
 */
export function callRouter<Req extends z.ZodType, Res extends z.ZodType>(
  context: RouteContext,
  request: FastifyRequest,
  rpc: RpcDefinition<Req, Res>,
  payload: z.input<Req>,
): Promise<z.infer<Res>> {
  const { bus } = context.runtime();
  return bus.request(bus.subjects.rpc('router', rpc.operation), rpc, payload, {
    principal: encodePrincipal(principalOf(request)),
  });
}

/** `?limit=&cursor=` of the router's listings (pages of up to {@link MAX_ROUTER_PAGE}). */
export const RouterPageQueryShape = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ROUTER_PAGE)
    .default(50)
    .describe(`Items per page (1 to ${MAX_ROUTER_PAGE}, default 50)`),
  cursor: z
    .string()
    .max(40)
    .regex(/^\d+$/, 'use the `nextCursor` of the previous page')
    .optional()
    .describe('`nextCursor` of the previous page; omit for the newest items'),
};
