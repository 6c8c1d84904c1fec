import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';

/** A request/reply operation: its name and the schemas both ends validate with. */
export interface RpcDefinition<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly operation: string;
  readonly request: Req;
  readonly response: Res;
}

/** Declares an RPC. The subject comes from `subjects(ns).rpc(service, operation)`. */
export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(
  operation: string,
  request: Req,
  response: Res,
): RpcDefinition<Req, Res> {
  return { operation, request, response };
}

/** Most items one batch request carries (and the bus's payload limit also bounds it). */
export const MAX_BATCH_ITEMS = 500;

/**
 * The batch form of `rpc`: `<operation>.batch` takes `{ items }` (each a request of `rpc`, all
 * made by one caller) and answers `{ results }` in the same order, each the item's result or its
 * own error, so one failing item fails only itself. Hot paths use it to carry many calls in one
 * bus message (DESIGN.md, Subjects).
 */
export function batchRpcOf<Req extends z.ZodType, Res extends z.ZodType>(
  rpc: RpcDefinition<Req, Res>,
) {
  return defineRpc(
    `${rpc.operation}.batch`,
    z.strictObject({ items: z.array(rpc.request).min(1).max(MAX_BATCH_ITEMS) }),
    z.strictObject({
      results: z.array(
        z.union([
          z.strictObject({ ok: z.literal(true), result: rpc.response }),
          z.strictObject({ ok: z.literal(false), error: ErrorBodySchema }),
        ]),
      ),
    }),
  );
}
