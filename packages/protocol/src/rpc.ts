import type { z } from 'zod';

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
