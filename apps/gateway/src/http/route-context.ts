import { encodePrincipal, type Principal } from '@switchboard/authz';
import { type RpcDefinition, SbError, type ServiceShortName } from '@switchboard/protocol';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OperatorRuntime } from './operator-runtime.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A fastify scope whose routes take zod schemas (validation, serialization, OpenAPI). */
export type ZodScope = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What each group of routes receives. */
export interface RouteContext {
  /** The running gateway's parts; `E_UNAVAILABLE` before it has started. */
  runtime(): OperatorRuntime;
}

/** The principal the auth hook attached to `request`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) {
    throw new SbError('E_UNAUTHORIZED', 'the request was not authenticated');
  }
  return request.principal;
}

/** `?limit=&cursor=` of every listing. */
export const PageQueryShape = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .describe('Items per page (1 to 200, default 50)'),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .describe('`nextCursor` of the previous page; omit for the first page'),
};

/** A page of `item`: `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next page; null when this page is the last'),
  });
}

/**
 * Calls `rpc` of the owning service as the caller: the principal goes in `sb-principal`, so the
 * service applies its own rules besides the route's operator scope. No replica of the service
 * running is `E_UNAVAILABLE`.
 */
export function callService<Req extends z.ZodType, Res extends z.ZodType>(
  service: ServiceShortName,
  context: RouteContext,
  request: FastifyRequest,
  rpc: RpcDefinition<Req, Res>,
  payload: z.input<Req>,
  /** Longer than the bus default for a call that may take long (a tool call); default: the bus's. */
  timeoutMs?: number,
): Promise<z.infer<Res>> {
  const { bus } = context.runtime();
  return bus.request(bus.subjects.rpc(service, rpc.operation), rpc, payload, {
    principal: encodePrincipal(principalOf(request)),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
