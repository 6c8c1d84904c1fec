import { encodePrincipal, type Principal, principalId } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { ServiceFrame } from '@switchboard/protocol';
import type { AgentConnection } from './agent-connection.ts';
import { forwardRouteOf } from './forward.ts';

/**
 * The `sb-principal` of a request made for the registered agent `agentId`: the connection's
 * credential acting as `agent:<agentId>`, which owns the scope `agent:<agentId>`.
 */
export function agentPrincipal(
  connection: Pick<AgentConnection, 'principal'>,
  agentId: string,
): string {
  // A connection's principal never changes (a changed credential closes the connection), so
  // its header is encoded once, not on every frame.
  const cached = encoded.get(connection.principal);
  if (cached?.agentId === agentId) return cached.header;
  const header = encodePrincipal({ ...connection.principal, id: principalId('agent', agentId) });
  encoded.set(connection.principal, { agentId, header });
  return header;
}

const encoded = new WeakMap<Principal, { agentId: string; header: string }>();

/**
 * Sends a frame's service RPC on behalf of the registered agent (see {@link agentPrincipal}).
 * Resolves with the RPC's result; rejects with the service's `SbError` (or the bus's
 * `E_TIMEOUT` / `E_UNAVAILABLE`).
 */
export function createServiceForwarder(bus: Bus) {
  return (connection: AgentConnection, agentId: string, frame: ServiceFrame): Promise<unknown> => {
    const route = forwardRouteOf(frame);
    const timeoutMs = route.timeoutMs?.(frame);
    return bus.request(
      bus.subjects.rpc(route.service, route.rpc.operation),
      route.rpc,
      route.request(frame, agentId),
      {
        principal: agentPrincipal(connection, agentId),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      },
    );
  };
}
