import type { SecurityDetector, SecurityEvent } from '@switchboard/protocol';
import type { SecurityReport } from '@switchboard/service';

/** What the detectors learn of one event or one authenticated request. */
export interface Observation {
  at: number;
  ip?: string | undefined;
  credentialId?: string | undefined;
  /** A refused credential (`auth_failed`, `revoked_key_used`). */
  authFailure: boolean;
  /** Unique per observation: counted once even when the stream delivers it twice. */
  id: string;
}

/** The detectors' settings (`gateway.security`). */
export interface DetectorSettings {
  authFailureSpike: { threshold: number; windowMs: number };
  keyManyIps: { threshold: number; windowMs: number };
}

/** One counting window an observation adds a member to. */
export interface DetectorWindow {
  detector: SecurityDetector;
  /** Whose window: a client address or a credential. */
  subject: 'ip' | 'credential';
  id: string;
  /** The set's key in the cache, the same on every replica for the same window. */
  key: string;
  /** What the window counts distinctly: one failure, or one address. */
  member: string;
  windowStart: number;
  windowMs: number;
  /** The set lives until its window ends. */
  ttlMs: number;
  threshold: number;
}

function windowOf(
  detector: SecurityDetector,
  subject: DetectorWindow['subject'],
  id: string,
  member: string,
  at: number,
  settings: { threshold: number; windowMs: number },
): DetectorWindow {
  const windowStart = at - (at % settings.windowMs);
  return {
    detector,
    subject,
    id,
    key: `security:${detector}:${subject}:${id}:${windowStart}`,
    member,
    windowStart,
    windowMs: settings.windowMs,
    ttlMs: windowStart + settings.windowMs - at,
    threshold: settings.threshold,
  };
}

/**
 * The windows an observation counts in: an authentication failure in its client address's and
 * its credential's failure windows, and any use of a credential from a known address in that
 * credential's window of distinct addresses. Windows are fixed (aligned on `windowMs`), so
 * every replica computes the same key for the same moment.
 */
export function windowsFor(observation: Observation, settings: DetectorSettings): DetectorWindow[] {
  const { at, ip, credentialId } = observation;
  const windows: DetectorWindow[] = [];
  if (observation.authFailure) {
    const spike = settings.authFailureSpike;
    if (ip !== undefined) {
      windows.push(windowOf('auth_failure_spike', 'ip', ip, observation.id, at, spike));
    }
    if (credentialId !== undefined) {
      windows.push(
        windowOf('auth_failure_spike', 'credential', credentialId, observation.id, at, spike),
      );
    }
  }
  if (ip !== undefined && credentialId !== undefined) {
    windows.push(windowOf('key_many_ips', 'credential', credentialId, ip, at, settings.keyManyIps));
  }
  return windows;
}

/**
 * The `alert` a window raises once it holds `count` members: exactly when the count reaches the
 * threshold, so one window raises one alert however many more members it gets.
 */
export function alertFor(window: DetectorWindow, count: number): SecurityReport | undefined {
  if (count !== window.threshold) return undefined;
  const who = window.subject === 'ip' ? `client ${window.id}` : `credential ${window.id}`;
  const detail =
    window.detector === 'auth_failure_spike'
      ? `${count} authentication failures of ${who} within ${window.windowMs} ms`
      : `${who} used from ${count} client addresses within ${window.windowMs} ms`;
  return {
    kind: 'alert',
    ...(window.subject === 'ip' ? { ip: window.id } : { credentialId: window.id }),
    detail,
    facts: {
      detector: window.detector,
      count,
      windowStart: window.windowStart,
      windowMs: window.windowMs,
    },
  };
}

/** What the detectors observe of a stored security event (alerts observe nothing). */
export function observationOf(event: SecurityEvent): Observation | undefined {
  if (event.kind === 'alert') return undefined;
  return {
    at: event.at,
    ip: event.ip,
    credentialId: event.credentialId,
    authFailure: event.kind === 'auth_failed' || event.kind === 'revoked_key_used',
    id: event.id,
  };
}
