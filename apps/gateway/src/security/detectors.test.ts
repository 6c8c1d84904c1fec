import type { SecurityEvent } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { alertFor, type DetectorSettings, observationOf, windowsFor } from './detectors.ts';

const settings: DetectorSettings = {
  authFailureSpike: { threshold: 3, windowMs: 60_000 },
  keyManyIps: { threshold: 2, windowMs: 10_000 },
};

const event = (overrides: Partial<SecurityEvent>): SecurityEvent => ({
  id: '0193a1b2-0000-7000-8000-000000000001',
  kind: 'auth_failed',
  at: 125_000,
  service: 'gateway',
  ...overrides,
});

describe('windowsFor', () => {
  it('counts a failure in the windows of its address and its credential, and the address among the credential’s', () => {
    const windows = windowsFor(
      { at: 125_000, ip: '10.0.0.1', credentialId: 'k1', authFailure: true, id: 'e1' },
      settings,
    );
    expect(windows).toEqual([
      {
        detector: 'auth_failure_spike',
        subject: 'ip',
        id: '10.0.0.1',
        key: 'security:auth_failure_spike:ip:10.0.0.1:120000',
        member: 'e1',
        windowStart: 120_000,
        windowMs: 60_000,
        ttlMs: 55_000,
        threshold: 3,
      },
      expect.objectContaining({
        detector: 'auth_failure_spike',
        subject: 'credential',
        id: 'k1',
        member: 'e1',
      }),
      {
        detector: 'key_many_ips',
        subject: 'credential',
        id: 'k1',
        key: 'security:key_many_ips:credential:k1:120000',
        member: '10.0.0.1',
        windowStart: 120_000,
        windowMs: 10_000,
        ttlMs: 5000,
        threshold: 2,
      },
    ]);
  });

  it('counts a successful use only among the addresses of its credential', () => {
    const windows = windowsFor(
      { at: 1000, ip: '10.0.0.1', credentialId: 'k1', authFailure: false, id: 'u1' },
      settings,
    );
    expect(windows.map((window) => window.detector)).toEqual(['key_many_ips']);
  });

  it('counts a failure without a known credential by address only, and nothing without either', () => {
    const byIp = windowsFor({ at: 1000, ip: '10.0.0.9', authFailure: true, id: 'e2' }, settings);
    expect(byIp.map((window) => [window.detector, window.subject])).toEqual([
      ['auth_failure_spike', 'ip'],
    ]);
    const byKey = windowsFor(
      { at: 1000, credentialId: 'k2', authFailure: true, id: 'e3' },
      settings,
    );
    expect(byKey.map((window) => [window.detector, window.subject])).toEqual([
      ['auth_failure_spike', 'credential'],
    ]);
    expect(windowsFor({ at: 1000, authFailure: true, id: 'e4' }, settings)).toEqual([]);
    expect(
      windowsFor({ at: 1000, ip: '10.0.0.9', authFailure: false, id: 'u2' }, settings),
    ).toEqual([]);
  });
});

describe('alertFor', () => {
  const [byIp, byCredential, manyIps] = windowsFor(
    { at: 125_000, ip: '10.0.0.1', credentialId: 'k1', authFailure: true, id: 'e1' },
    settings,
  );

  it('raises a spike of failures from one address once, when the window reaches the threshold', () => {
    if (byIp === undefined) throw new Error('expected a window');
    expect(alertFor(byIp, 2)).toBeUndefined();
    expect(alertFor(byIp, 3)).toEqual({
      kind: 'alert',
      ip: '10.0.0.1',
      detail: '3 authentication failures of client 10.0.0.1 within 60000 ms',
      facts: { detector: 'auth_failure_spike', count: 3, windowStart: 120_000, windowMs: 60_000 },
    });
    expect(alertFor(byIp, 4)).toBeUndefined();
  });

  it('raises a spike of failures of one credential', () => {
    if (byCredential === undefined) throw new Error('expected a window');
    expect(alertFor(byCredential, 3)).toMatchObject({
      kind: 'alert',
      credentialId: 'k1',
      detail: '3 authentication failures of credential k1 within 60000 ms',
    });
  });

  it('raises one credential used from many addresses', () => {
    if (manyIps === undefined) throw new Error('expected a window');
    expect(alertFor(manyIps, 2)).toEqual({
      kind: 'alert',
      credentialId: 'k1',
      detail: 'credential k1 used from 2 client addresses within 10000 ms',
      facts: { detector: 'key_many_ips', count: 2, windowStart: 120_000, windowMs: 10_000 },
    });
  });
});

describe('observationOf', () => {
  it('sees refused and revoked credentials as failures, other events as uses, alerts not at all', () => {
    expect(observationOf(event({ ip: '10.0.0.1', credentialId: 'k1' }))).toEqual({
      at: 125_000,
      ip: '10.0.0.1',
      credentialId: 'k1',
      authFailure: true,
      id: '0193a1b2-0000-7000-8000-000000000001',
    });
    expect(observationOf(event({ kind: 'revoked_key_used' }))?.authFailure).toBe(true);
    expect(observationOf(event({ kind: 'rate_limited' }))?.authFailure).toBe(false);
    expect(observationOf(event({ kind: 'alert' }))).toBeUndefined();
  });
});
