import { decodePrincipal, type Principal, resolvePrincipal } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { RpcDefinition, ServiceShortName } from '@switchboard/protocol';
import type { z } from 'zod';

/** Who calls a service: the principal (roles expanded), its header, and its agent when it is one. */
export interface Caller {
  principal: Principal;
  /** The `sb-principal` header it came with: the same header means the same caller. */
  header: string;
  /** The agent id of an `agent:<id>` principal, null for keys and JWTs. */
  agentId: string | null;
}

const AGENT_PREFIX = 'agent:';

// An agent sends the same header with every request: decode it once. The header is the whole
// principal, so a cached caller is exactly what decoding it again would give.
const KNOWN_CALLERS_MAX = 10_000;
const knownCallers = new Map<string, Caller>();

/**
 * Reads the caller from the `sb-principal` header (roles expanded), from a bounded cache when
 * the same header was read before.
 * @throws SbError `E_UNAUTHORIZED` when the header is missing or invalid.
 */
export function callerOf(header: string | undefined): Caller {
  const known = header === undefined ? undefined : knownCallers.get(header);
  if (known !== undefined) return known;
  const { principal } = resolvePrincipal(decodePrincipal(header));
  const caller: Caller = {
    principal,
    header: header as string,
    agentId: principal.id.startsWith(AGENT_PREFIX) ? principal.id.slice(AGENT_PREFIX.length) : null,
  };
  if (knownCallers.size >= KNOWN_CALLERS_MAX) knownCallers.clear();
  knownCallers.set(caller.header, caller);
  return caller;
}

/**
 * The `serve` of a service whose handlers act for their caller: `serveAs(bus, 'tasks')(rpc,
 * handler)` serves `<ns>.v1.tasks.<op>` in the service's queue group and hands the handler the
 * request and the caller read from its `sb-principal` (`E_UNAUTHORIZED` when missing).
 */
export function serveAs(bus: Bus, service: ServiceShortName) {
  const queue = bus.subjects.queueGroup(service);
  return <Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, caller: Caller) => Promise<z.input<Res>>,
  ): BusSubscription =>
    bus.serve(
      bus.subjects.rpc(service, rpc.operation),
      rpc,
      (request, context) => handler(request, callerOf(context.principal)),
      { queue },
    );
}
