import type { Bus, BusSubscription } from '@switchboard/bus';
import { GatewayToolCallRpc, SbError } from '@switchboard/protocol';
import type { ConnectionRegistry } from '../ws/connection-registry.ts';

/**
 * Serves this instance's tool-call subject (`<ns>.v1.gw.<gatewayId>.call`): writes a `tool.call`
 * frame to the provider's socket and answers with its `tool.result`. The call stays bound to
 * that connection: if it ends first, the answer is `E_UNAVAILABLE` at once.
 */
export function serveToolCalls(deps: {
  bus: Bus;
  gatewayId: string;
  registry: ConnectionRegistry;
}): BusSubscription {
  const { bus, registry, gatewayId } = deps;
  const subject = bus.subjects.gatewayCall(gatewayId);
  return bus.serve(
    subject,
    GatewayToolCallRpc,
    async (call) => {
      const connection = registry.get(call.agentId);
      if (connection === undefined) {
        throw new SbError(
          'E_UNAVAILABLE',
          `agent ${call.agentId} is not connected to gateway ${gatewayId}; try again once it reconnects`,
        );
      }
      return connection.callTool(call);
    },
    // The subject is this instance's alone: the queue group only names it, nobody shares it.
    { queue: subject },
  );
}
