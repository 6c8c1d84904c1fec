import { encodePrincipal, principalId } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { ServiceFrame } from '@switchboard/protocol';
import type { AgentConnection } from './agent-connection.ts';
import { forwardRouteOf } from './forward.ts';

/**
 * Sends a frame's service RPC on behalf of the registered agent: the principal is the
 * connection's credential acting as `agent:<agentId>`, which owns the scope `agent:<agentId>`.
 * Resolves with the RPC's result; rejects with the service's `SbError` (or the bus's
 * `E_TIMEOUT` / `E_UNAVAILABLE`).
 */
export function createServiceForwarder(bus: Bus) {
  return (connection: AgentConnection, agentId: string, frame: ServiceFrame): Promise<unknown> => {
    const route = forwardRouteOf(frame);
    const principal = encodePrincipal({
      ...connection.principal,
      id: principalId('agent', agentId),
    });
    return bus.request(
      bus.subjects.rpc(route.service, route.rpc.operation),
      route.rpc,
      route.request(frame, agentId),
      { principal },
    );
  };
}
