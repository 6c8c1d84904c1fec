import {
  type SecurityEvent,
  type SecurityEventKind,
  SecurityEventKinds,
  SecurityEventSchema,
} from '@switchboard/protocol';

// What the security page does with stored and live security events, apart from drawing them:
// the filters as a query and as a test for live events, merging pages and live additions
// newest first, and an alert's facts as a person reads them.

/** The security page's filters as the form holds them (empty: no filter). */
export interface SecurityFilters {
  /** The kinds to show; none chosen shows every kind. */
  kinds: SecurityEventKind[];
  /** A principal (`key:<id>`) or a credential id. */
  principal: string;
  ip: string;
  /** `datetime-local` values (the browser's time zone), or empty. */
  since: string;
  until: string;
}

export const noFilters: SecurityFilters = {
  kinds: [],
  principal: '',
  ip: '',
  since: '',
  until: '',
};

/** The names of the live channel's security events (`security.<kind>`). */
export const liveSecurityEventNames: readonly string[] = SecurityEventKinds.map(
  (kind) => `security.${kind}`,
);

function timeOf(local: string): number | undefined {
  if (local === '') return undefined;
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** The `GET /v1/security/events` query of `filters` (undefined values are left out). */
export function queryParamsOf(filters: SecurityFilters): Record<string, string | undefined> {
  const since = timeOf(filters.since);
  const until = timeOf(filters.until);
  return {
    kind: filters.kinds.length === 0 ? undefined : filters.kinds.join(','),
    principal: filters.principal.trim() || undefined,
    ip: filters.ip.trim() || undefined,
    since: since === undefined ? undefined : new Date(since).toISOString(),
    until: until === undefined ? undefined : new Date(until).toISOString(),
  };
}

/** Whether a live event belongs in the list the filters asked the gateway for. */
export function matchesFilters(event: SecurityEvent, filters: SecurityFilters): boolean {
  const principal = filters.principal.trim();
  const ip = filters.ip.trim();
  const since = timeOf(filters.since);
  const until = timeOf(filters.until);
  return (
    (filters.kinds.length === 0 || filters.kinds.includes(event.kind)) &&
    (principal === '' || event.principal === principal || event.credentialId === principal) &&
    (ip === '' || event.ip === ip) &&
    (since === undefined || event.at >= since) &&
    (until === undefined || event.at <= until)
  );
}

/**
 * `current` with `additions` merged in: one entry per id, newest first (ties by id, descending,
 * as the gateway orders them), so a live event also found in a later page shows once.
 */
export function mergeNewestFirst(
  current: readonly SecurityEvent[],
  additions: readonly SecurityEvent[],
): SecurityEvent[] {
  const byId = new Map(current.map((event) => [event.id, event]));
  for (const event of additions) byId.set(event.id, event);
  // Ids are unique here, so two events never compare equal.
  return [...byId.values()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
}

/** The data of a live `security.<kind>` event, or undefined when it is not one. */
export function parseLiveEvent(data: unknown): SecurityEvent | undefined {
  const parsed = SecurityEventSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** An `alert` as the page highlights it. */
export interface AlertSummary {
  detector: string;
  /** What it names: `address <ip>` or `credential <id>`. */
  subject: string;
  count: number | undefined;
  /** The fixed window it counted in (ms since the epoch), when the alert says. */
  windowStart: number | undefined;
  windowMs: number | undefined;
}

function numberFact(event: SecurityEvent, name: string): number | undefined {
  const value = event.facts?.[name];
  return typeof value === 'number' ? value : undefined;
}

/** The detector, subject, count and window of an `alert` event. */
export function alertSummaryOf(event: SecurityEvent): AlertSummary {
  const detector = event.facts?.detector;
  return {
    detector: typeof detector === 'string' ? detector : 'unknown detector',
    subject:
      event.ip !== undefined
        ? `address ${event.ip}`
        : event.credentialId !== undefined
          ? `credential ${event.credentialId}`
          : (event.principal ?? 'unknown subject'),
    count: numberFact(event, 'count'),
    windowStart: numberFact(event, 'windowStart'),
    windowMs: numberFact(event, 'windowMs'),
  };
}

/** Who an event is about: its principal, else its credential (the address has its own column). */
export function whoOf(event: SecurityEvent): string {
  return event.principal ?? event.credentialId ?? '–';
}

/** Every fact of an event as label and text, in the order the detail shows them. */
export function factsOf(event: SecurityEvent): Array<[string, string]> {
  const fields: Array<[string, string | undefined]> = [
    ['id', event.id],
    ['kind', event.kind],
    ['at', new Date(event.at).toISOString()],
    ['service', event.service],
    ['principal', event.principal],
    ['credential', event.credentialId],
    ['client address', event.ip],
    ['path', event.path],
    ['code', event.code],
    ['detail', event.detail],
  ];
  const facts = Object.entries(event.facts ?? {}).map(([name, value]): [string, string] => [
    name,
    String(value),
  ]);
  return [...fields.filter((field): field is [string, string] => field[1] !== undefined), ...facts];
}
