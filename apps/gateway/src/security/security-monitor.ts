import type { Principal } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import { SecurityEventSchema } from '@switchboard/protocol';
import type { SecurityEvents } from '@switchboard/service';
import { Counter, type Registry } from 'prom-client';
import type { SecurityEventStore } from '../db/security-event-store.ts';
import { alertFor, type Observation, observationOf, windowsFor } from './detectors.ts';
import { type SecurityRetention, startSecurityRetention } from './security-retention.ts';
import type { SecuritySettings } from './security-settings.ts';

const alertsName = 'sb_security_alerts_total';
// Uses already counted in the current window, so a busy credential costs no Redis round trip
// per request; cleared whenever it grows past this (a window at most counts once more).
const MAX_SEEN_USES = 10_000;

/**
 * The gateway's watch over the mesh's security events: a durable consumer (shared by the
 * replicas) stores every `<ns>.v1.evt.security.>` event and runs the detectors over it, with
 * their windows in Redis so replicas agree; an alert is reported as an `alert` security event
 * (stored like the others) and counted in `sb_security_alerts_total` by detector. A sweep deletes
 * events older than `gateway.security.retentionMs`, in batches (security-retention.ts).
 */
export function createSecurityMonitor(deps: {
  bus: Bus;
  cache: Cache;
  store: SecurityEventStore;
  security: SecurityEvents;
  metrics: Registry;
  settings: () => SecuritySettings;
  log: Logger;
}) {
  const alerts =
    (deps.metrics.getSingleMetric(alertsName) as Counter<'detector'> | undefined) ??
    new Counter({
      name: alertsName,
      help: 'Alerts the security detectors raised, by detector',
      labelNames: ['detector'] as const,
      registers: [deps.metrics],
    });
  const seenUses = new Set<string>();
  let consumer: BusSubscription | undefined;
  let retention: SecurityRetention | undefined;

  const observe = async (observation: Observation): Promise<void> => {
    for (const window of windowsFor(observation, deps.settings())) {
      const count = await deps.cache.addToSet(window.key, window.member, window.ttlMs);
      const alert = alertFor(window, count);
      if (alert === undefined) continue;
      alerts.inc({ detector: window.detector });
      deps.security.report(alert);
    }
  };

  return {
    async start(): Promise<void> {
      consumer = await deps.bus.consumeEvents({
        filterSubject: deps.bus.subjects.event('security', '>'),
        schema: SecurityEventSchema,
        durableName: 'gateway-security',
        deliverFrom: 'all',
        handler: async ({ payload }) => {
          await deps.store.add([payload]);
          const observation = observationOf(payload);
          if (observation !== undefined) await observe(observation);
        },
      });
      retention = startSecurityRetention({
        store: deps.store,
        settings: deps.settings,
        log: deps.log,
      });
    },

    /**
     * A credential authenticated from `ip`: counted among its addresses (the many-addresses
     * detector). Never fails the request: a Redis hiccup only loses the count.
     */
    observeUse(principal: Principal, ip: string): void {
      const at = Date.now();
      const { windowMs } = deps.settings().keyManyIps;
      const seen = `${principal.credential.id}|${ip}|${Math.floor(at / windowMs)}`;
      if (seenUses.has(seen)) return;
      if (seenUses.size >= MAX_SEEN_USES) seenUses.clear();
      seenUses.add(seen);
      const observation = {
        at,
        ip,
        credentialId: principal.credential.id,
        authFailure: false,
        id: seen,
      };
      void observe(observation).catch((err: unknown) => {
        seenUses.delete(seen);
        deps.log.warn({ err }, 'could not count a credential use for the security detectors');
      });
    },

    async stop(): Promise<void> {
      await retention?.stop();
      await consumer?.stop();
    },
  };
}

/** The gateway's security monitor. */
export type SecurityMonitor = ReturnType<typeof createSecurityMonitor>;
