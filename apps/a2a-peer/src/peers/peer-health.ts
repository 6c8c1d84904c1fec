import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { PeerChangedEventSchema } from '@switchboard/protocol';
import { type PeriodicJob, runEvery } from '@switchboard/service';
import type { CardFetcher } from './peer-cards.ts';
import type { PeerDirectory } from './peer-directory.ts';
import type { PeerStore } from './peer-store.ts';
import { type HealthSettings, statusAfterCheck } from './peer-view.ts';

/** How health checks run (live settings). */
export interface HealthCheckSettings extends HealthSettings {
  intervalMs: number;
}

/**
 * Checks every peer every `intervalMs` (one replica per peer and round, claimed in Postgres):
 * fetches its card again (so the stored card stays fresh and its signature checked), records
 * latency and status (up / degraded / down) and publishes `<ns>.v1.evt.a2a.peer` when the status
 * changes. A card that no longer validates leaves the old one in place and counts as a failure.
 */
export function createPeerHealth(deps: {
  bus: Bus;
  store: PeerStore;
  peers: PeerDirectory;
  cards: CardFetcher;
  settings: () => HealthCheckSettings;
  log: Logger;
}) {
  let job: PeriodicJob | undefined;

  async function checkDue(): Promise<void> {
    const settings = deps.settings();
    const due = await deps.store.claimChecks(settings.intervalMs);
    if (due.length === 0) return;
    await Promise.all(
      due.map(async (peer) => {
        let outcome: Parameters<typeof statusAfterCheck>[0];
        let error: string | null = null;
        let card: Awaited<ReturnType<CardFetcher['fetch']>> | undefined;
        try {
          card = await deps.cards.fetch(peer.cardUrl);
          outcome = { ok: true, latencyMs: card.latencyMs };
        } catch (failure) {
          error = failure instanceof Error ? failure.message : String(failure);
          outcome = { ok: false };
        }
        const next = statusAfterCheck(outcome, peer.failures, settings);
        await deps.store.recordCheck(peer.name, {
          status: next.status,
          failures: next.failures,
          error,
          latencyMs: outcome.ok ? outcome.latencyMs : null,
          card: card === undefined ? undefined : { card: card.card, signature: card.signature },
        });
        if (next.status !== peer.status) {
          deps.log.info(
            { peer: peer.name, from: peer.status, to: next.status, error },
            'an A2A peer changed status',
          );
          await deps.bus.publishEvent(
            deps.bus.subjects.event('a2a', 'peer'),
            PeerChangedEventSchema,
            { name: peer.name, what: 'status', status: next.status },
          );
        }
      }),
    );
    await deps.peers.invalidate();
  }

  return {
    start(): void {
      job = runEvery(() => Math.min(deps.settings().intervalMs, 1000), checkDue, {
        log: deps.log,
        what: 'checking A2A peers',
      });
    },
    async stop(): Promise<void> {
      await job?.stop();
      job = undefined;
    },
    checkDue,
  };
}
