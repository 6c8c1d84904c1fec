import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { testInfra } from './infra.ts';

/** A bus client in `namespace` on the test NATS servers, as a test talks to services; close it. */
export function connectTestBus(namespace: string, requestTimeoutMs = 5000): Promise<NatsBus> {
  return connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => requestTimeoutMs,
  });
}
