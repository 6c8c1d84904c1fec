import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import type { AgentStore } from '../db/agent-store.ts';
import { createDisconnections } from './disconnections.ts';

/** The Redis key of a gateway instance's lease. */
export const leaseKey = (gatewayId: string) => `gateway:lease:${gatewayId}`;

/** Lease timing (live settings, read at every tick). */
export interface LeaseSettings {
  ttlMs: number;
  sweepIntervalMs: number;
}

/**
 * This instance's lease in Redis, renewed at a third of its lifetime, and the sweep that keeps
 * the catalog free of ghosts: agents recorded as connected through an instance whose lease has
 * been gone for a whole lifetime are marked disconnected (`gateway_lost`) and announced. Waiting
 * a lifetime matters: after Redis loses its data every live instance re-writes its lease within
 * a third of it, so none is taken for dead.
 */
export function createInstanceLease(deps: {
  gatewayId: string;
  cache: Cache;
  agents: AgentStore;
  bus: Bus;
  log: Logger;
  settings: () => LeaseSettings;
}) {
  const missingSince = new Map<string, number>();
  let renewTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let running = false;
  const inFlight = new Set<Promise<void>>();

  const renew = async () => {
    await deps.cache.setJson(
      leaseKey(deps.gatewayId),
      { since: Date.now() },
      deps.settings().ttlMs,
    );
  };

  const disconnections = createDisconnections({
    agents: deps.agents,
    cache: deps.cache,
    bus: deps.bus,
  });

  const sweepGateway = async (gatewayId: string) => {
    const lost = await disconnections.recordGatewayLost(gatewayId);
    if (lost > 0) {
      deps.log.warn(
        { lostGatewayId: gatewayId, agents: lost },
        'a gateway instance was lost; its agents are disconnected',
      );
    }
  };

  /** One pass: which instances hold agents, which of them lost their lease a lifetime ago. */
  const sweep = async () => {
    const now = Date.now();
    const holders = await deps.agents.connectedGatewayIds();
    for (const gatewayId of [...missingSince.keys()]) {
      if (!holders.includes(gatewayId)) missingSince.delete(gatewayId);
    }
    for (const gatewayId of holders) {
      if (gatewayId === deps.gatewayId) continue;
      if ((await deps.cache.getJson(leaseKey(gatewayId))) !== undefined) {
        missingSince.delete(gatewayId);
        continue;
      }
      const since = missingSince.get(gatewayId) ?? now;
      missingSince.set(gatewayId, since);
      if (now - since >= deps.settings().ttlMs) {
        missingSince.delete(gatewayId);
        await sweepGateway(gatewayId);
      }
    }
  };

  const loop = (timer: 'renew' | 'sweep', work: () => Promise<void>, everyMs: () => number) => {
    const schedule = () => {
      const handle = setTimeout(() => {
        const pass = work()
          .catch((err: unknown) =>
            deps.log.warn({ err }, `gateway lease ${timer} failed; retrying`),
          )
          .finally(() => {
            inFlight.delete(pass);
            if (running) schedule();
          });
        inFlight.add(pass);
      }, everyMs());
      if (timer === 'renew') renewTimer = handle;
      else sweepTimer = handle;
    };
    schedule();
  };

  return {
    async start(): Promise<void> {
      running = true;
      await renew();
      loop('renew', renew, () => deps.settings().ttlMs / 3);
      loop('sweep', sweep, () => deps.settings().sweepIntervalMs);
    },

    /** Stops renewing and drops the lease: this instance's agents were closed already. */
    async stop(): Promise<void> {
      running = false;
      clearTimeout(renewTimer);
      clearTimeout(sweepTimer);
      await Promise.all([...inFlight]);
      await deps.cache.delete(leaseKey(deps.gatewayId));
    },

    /** One sweep now (tests and operators use it). */
    sweep,
  };
}
