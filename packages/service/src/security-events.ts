import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  type SecurityEvent,
  SecurityEventSchema,
  type ServiceShortName,
} from '@switchboard/protocol';
import { Counter, type Registry } from 'prom-client';

/** What a reporter is told: the event without the id, time and service it fills in. */
export type SecurityReport = Omit<SecurityEvent, 'id' | 'at' | 'service'> & { at?: number };

/** Reports security events (see {@link createSecurityEvents}). */
export interface SecurityEvents {
  report(event: SecurityReport): void;
}

const eventsName = 'sb_security_events_total';
const hitsName = 'sb_rate_limit_hits_total';
const MAX_THROTTLED_KEYS = 10_000;
const MAX_DETAIL_CHARS = 1000;
const MAX_PATH_CHARS = 500;

const clip = (text: string | undefined, max: number) =>
  text === undefined || text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/**
 * The security events of one service: each is counted in `sb_security_events_total` by kind
 * (the registry's default labels add the service), logged as a structured warn line and
 * published on `<ns>.v1.evt.security.<kind>` for the gateway to store and watch. Reporting never
 * throws and never waits: a refusal is answered whether or not the event got out.
 *
 * Rate-limit hits are counted one by one in `sb_rate_limit_hits_total` by path and credential,
 * but a client hammering a full bucket would flood the stream: each (credential or address,
 * path) gets at most one `rate_limited` event per `rateLimitReportIntervalMs`, whose `facts.hits`
 * says how many hits it stands for.
 */
export function createSecurityEvents(deps: {
  bus: Bus;
  service: ServiceShortName;
  log: Pick<Logger, 'warn' | 'error'>;
  metrics: Registry;
  /** Default 1000. */
  rateLimitReportIntervalMs?: () => number;
  now?: () => number;
}): SecurityEvents {
  const now = deps.now ?? Date.now;
  const hits =
    (deps.metrics.getSingleMetric(hitsName) as Counter<'path' | 'credential'> | undefined) ??
    new Counter({
      name: hitsName,
      help: 'Requests refused by a rate limit, by path and credential (or client address)',
      labelNames: ['path', 'credential'] as const,
      registers: [deps.metrics],
    });
  // Per (who, path): when the last event went out and the hits since.
  const throttled = new Map<string, { reportedAt: number; hits: number }>();
  const admitRateLimited = (report: SecurityReport): SecurityReport | undefined => {
    const who = report.credentialId ?? (report.ip === undefined ? '' : `ip:${report.ip}`);
    const path = report.path ?? '';
    hits.inc({ path, credential: who });
    const key = `${who}|${path}`;
    const at = now();
    const entry = throttled.get(key);
    const intervalMs = deps.rateLimitReportIntervalMs?.() ?? 1000;
    if (entry !== undefined && at - entry.reportedAt < intervalMs) {
      entry.hits++;
      return undefined;
    }
    if (throttled.size >= MAX_THROTTLED_KEYS) throttled.clear();
    throttled.set(key, { reportedAt: at, hits: 0 });
    return { ...report, facts: { ...report.facts, hits: 1 + (entry?.hits ?? 0) } };
  };
  const counter =
    (deps.metrics.getSingleMetric(eventsName) as Counter<'kind'> | undefined) ??
    new Counter({
      name: eventsName,
      help: 'Security events this service reported, by kind (auth_failed, forbidden, rate_limited, ...)',
      labelNames: ['kind'] as const,
      registers: [deps.metrics],
    });
  return {
    report(reported) {
      const report = reported.kind === 'rate_limited' ? admitRateLimited(reported) : reported;
      if (report === undefined) return;
      const detail = clip(report.detail, MAX_DETAIL_CHARS);
      const path = clip(report.path, MAX_PATH_CHARS);
      const event: SecurityEvent = {
        ...report,
        ...(detail === undefined ? {} : { detail }),
        ...(path === undefined ? {} : { path }),
        id: randomUUID(),
        at: report.at ?? Date.now(),
        service: deps.service,
      };
      counter.inc({ kind: event.kind });
      deps.log.warn({ securityEvent: event }, `security event ${event.kind}: ${detail ?? ''}`);
      void deps.bus
        .publishEvent(deps.bus.subjects.event('security', event.kind), SecurityEventSchema, event)
        .catch((err: unknown) => {
          deps.log.error({ err, securityEvent: event.id }, 'could not publish a security event');
        });
    },
  };
}
