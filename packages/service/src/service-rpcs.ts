import type { Bus, BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import {
  ConfigGetRpc,
  ConfigSetRpc,
  ConfigUnsetRpc,
  PingRpc,
  type ServiceShortName,
  StatsRpc,
} from '@switchboard/protocol';

/** What the RPCs every service answers need to know about their replica. */
export interface ServiceIdentity {
  service: ServiceShortName;
  instanceId: string;
  version: string;
  startedAt: number;
}

/**
 * Serves `ping`, `config.get|set|unset` and `stats` on `<ns>.v1.<short>.*` in the service's
 * queue group.
 */
export function serveServiceRpcs(options: {
  bus: Bus;
  identity: ServiceIdentity;
  config: LiveConfig<unknown>;
  /** The replica's key figures (the common ones and its service's own). */
  stats: () => Promise<Record<string, number>>;
}): BusSubscription[] {
  const { bus, identity, config } = options;
  const queue = bus.subjects.queueGroup(identity.service);
  const subject = (operation: string) => bus.subjects.rpc(identity.service, operation);
  const uptimeMs = () => Date.now() - identity.startedAt;
  return [
    bus.serve(
      subject(PingRpc.operation),
      PingRpc,
      async () => ({
        service: identity.service,
        instanceId: identity.instanceId,
        version: identity.version,
        uptimeMs: uptimeMs(),
      }),
      { queue },
    ),
    bus.serve(
      subject(ConfigGetRpc.operation),
      ConfigGetRpc,
      async (request) => ({ service: identity.service, settings: config.report(request.key) }),
      { queue },
    ),
    bus.serve(
      subject(ConfigSetRpc.operation),
      ConfigSetRpc,
      (request) => config.set(request.key, request.value),
      { queue },
    ),
    bus.serve(
      subject(ConfigUnsetRpc.operation),
      ConfigUnsetRpc,
      (request) => config.unset(request.key),
      { queue },
    ),
    bus.serve(
      subject(StatsRpc.operation),
      StatsRpc,
      async () => ({
        service: identity.service,
        instanceId: identity.instanceId,
        uptimeMs: uptimeMs(),
        figures: await options.stats(),
      }),
      { queue },
    ),
  ];
}
