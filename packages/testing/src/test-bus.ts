import { type Bus, connectNatsBus, ScopedBus } from '@switchboard/bus';
import { embeddedConnectionsOf } from './embedded-world.ts';
import { testInfra } from './infra.ts';
import { testModeOf } from './mode.ts';

/**
 * A bus client in `namespace`, as a test talks to services: a connection to the test NATS
 * servers, or in embedded mode a client of the namespace's in-process bus. Close it.
 */
export function connectTestBus(namespace: string, requestTimeoutMs = 5000): Promise<Bus> {
  if (testModeOf(process.env) === 'embedded') {
    return Promise.resolve(
      new ScopedBus(embeddedConnectionsOf(namespace).bus, () => requestTimeoutMs),
    );
  }
  return connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => requestTimeoutMs,
  });
}
