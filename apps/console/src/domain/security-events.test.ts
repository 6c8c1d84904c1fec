import type { SecurityEvent } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import {
  alertSummaryOf,
  factsOf,
  liveSecurityEventNames,
  matchesFilters,
  mergeNewestFirst,
  noFilters,
  parseLiveEvent,
  queryParamsOf,
  whoOf,
} from './security-events.ts';

const at = Date.parse('2026-11-26T10:00:00.000Z');

const event = (overrides: Partial<SecurityEvent> = {}): SecurityEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'auth_failed',
  at,
  service: 'gateway',
  ...overrides,
});

// datetime-local values are read in the browser's time zone: build them from local time.
function local(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

describe('the security filters', () => {
  it('ask the gateway for nothing in particular when empty', () => {
    expect(queryParamsOf(noFilters)).toEqual({
      kind: undefined,
      principal: undefined,
      ip: undefined,
      since: undefined,
      until: undefined,
    });
  });

  it('become the query: kinds comma-separated, trimmed texts, local times as ISO', () => {
    expect(
      queryParamsOf({
        kinds: ['auth_failed', 'alert'],
        principal: ' key:abc ',
        ip: '203.0.113.7 ',
        since: local(at),
        until: local(at + 60_000),
      }),
    ).toEqual({
      kind: 'auth_failed,alert',
      principal: 'key:abc',
      ip: '203.0.113.7',
      since: new Date(at).toISOString(),
      until: new Date(at + 60_000).toISOString(),
    });
  });

  it('leave out a time the browser could not read', () => {
    expect(queryParamsOf({ ...noFilters, since: 'not a time' }).since).toBeUndefined();
  });

  it('let every live event through when empty', () => {
    expect(matchesFilters(event(), noFilters)).toBe(true);
  });

  it('keep a live event out unless it matches every filter', () => {
    const failed = event({ principal: 'key:abc', credentialId: 'abc', ip: '203.0.113.7' });
    expect(matchesFilters(failed, { ...noFilters, kinds: ['auth_failed'] })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, kinds: ['alert'] })).toBe(false);
    expect(matchesFilters(failed, { ...noFilters, principal: 'key:abc' })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, principal: 'abc' })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, principal: 'key:other' })).toBe(false);
    expect(matchesFilters(failed, { ...noFilters, ip: '203.0.113.7' })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, ip: '198.51.100.1' })).toBe(false);
    expect(matchesFilters(failed, { ...noFilters, since: local(at) })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, since: local(at + 60_000) })).toBe(false);
    expect(matchesFilters(failed, { ...noFilters, until: local(at) })).toBe(true);
    expect(matchesFilters(failed, { ...noFilters, until: local(at - 60_000) })).toBe(false);
  });
});

describe('merging events', () => {
  const older = event({ id: '00000000-0000-4000-8000-00000000000a', at: at - 1000 });
  const sameTimeLow = event({ id: '00000000-0000-4000-8000-00000000000b' });
  const sameTimeHigh = event({ id: '00000000-0000-4000-8000-00000000000c' });
  const newer = event({ id: '00000000-0000-4000-8000-00000000000d', at: at + 1000 });

  it('orders newest first, ties by id descending as the gateway does', () => {
    expect(mergeNewestFirst([older, sameTimeLow], [newer, sameTimeHigh])).toEqual([
      newer,
      sameTimeHigh,
      sameTimeLow,
      older,
    ]);
    // Whichever order they come in.
    expect(mergeNewestFirst([sameTimeHigh], [sameTimeLow])).toEqual([sameTimeHigh, sameTimeLow]);
    expect(mergeNewestFirst([sameTimeLow], [sameTimeHigh])).toEqual([sameTimeHigh, sameTimeLow]);
  });

  it('keeps one entry for an event that came live and again in a page', () => {
    expect(mergeNewestFirst([newer, older], [older])).toEqual([newer, older]);
  });
});

describe('live events', () => {
  it('are named security.<kind> on the live channel', () => {
    expect(liveSecurityEventNames).toContain('security.auth_failed');
    expect(liveSecurityEventNames).toContain('security.alert');
  });

  it('are parsed, and anything else is ignored', () => {
    expect(parseLiveEvent(event())).toEqual(event());
    expect(parseLiveEvent({ agentId: 'a1' })).toBeUndefined();
  });
});

describe('an alert', () => {
  it('names its detector, its address, the count and the window', () => {
    const alert = event({
      kind: 'alert',
      ip: '203.0.113.7',
      facts: { detector: 'auth_failure_spike', count: 20, windowStart: at, windowMs: 60_000 },
    });
    expect(alertSummaryOf(alert)).toEqual({
      detector: 'auth_failure_spike',
      subject: 'address 203.0.113.7',
      count: 20,
      windowStart: at,
      windowMs: 60_000,
    });
  });

  it('names a credential when it counted one', () => {
    const alert = event({
      kind: 'alert',
      credentialId: 'abc',
      facts: { detector: 'key_many_ips', count: 5 },
    });
    expect(alertSummaryOf(alert)).toMatchObject({
      detector: 'key_many_ips',
      subject: 'credential abc',
      windowStart: undefined,
    });
  });

  it('says what it does not know', () => {
    expect(alertSummaryOf(event({ kind: 'alert' }))).toEqual({
      detector: 'unknown detector',
      subject: 'unknown subject',
      count: undefined,
      windowStart: undefined,
      windowMs: undefined,
    });
    expect(alertSummaryOf(event({ kind: 'alert', principal: 'key:abc' })).subject).toBe('key:abc');
  });
});

describe('an event as a person reads it', () => {
  it('is about its principal, else its credential', () => {
    expect(whoOf(event({ principal: 'key:abc', credentialId: 'abc' }))).toBe('key:abc');
    expect(whoOf(event({ credentialId: 'abc', ip: '203.0.113.7' }))).toBe('abc');
    expect(whoOf(event({ ip: '203.0.113.7' }))).toBe('–');
  });

  it('shows every fact it has, and only those', () => {
    expect(factsOf(event())).toEqual([
      ['id', '00000000-0000-4000-8000-000000000001'],
      ['kind', 'auth_failed'],
      ['at', '2026-11-26T10:00:00.000Z'],
      ['service', 'gateway'],
    ]);
    const full = event({
      kind: 'rate_limited',
      principal: 'key:abc',
      credentialId: 'abc',
      ip: '203.0.113.7',
      path: '/v1/agents',
      code: 'E_RATE_LIMITED',
      detail: 'rate limit reached',
      facts: { hits: 12, burst: true },
    });
    expect(factsOf(full).slice(4)).toEqual([
      ['principal', 'key:abc'],
      ['credential', 'abc'],
      ['client address', '203.0.113.7'],
      ['path', '/v1/agents'],
      ['code', 'E_RATE_LIMITED'],
      ['detail', 'rate limit reached'],
      ['hits', '12'],
      ['burst', 'true'],
    ]);
  });
});
