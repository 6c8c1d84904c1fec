import { SbError } from './errors.ts';
import type { DisconnectReason } from './events/agent-events.ts';

/** Every status of the one agent lifecycle (DESIGN.md, Agents). */
export const LifecycleStatuses = [
  'registered',
  'starting',
  'idle',
  'busy',
  'stopping',
  'stopped',
  'error',
] as const;

/** One of {@link LifecycleStatuses}. */
export type LifecycleStatus = (typeof LifecycleStatuses)[number];

/**
 * The legal transitions, from each status. Any status but `error` may go to `error`; `error`
 * leaves only by starting again. A status never transitions to itself: the caller asked for a
 * change that is not one. `starting → stopping` exists because a connection may end before the
 * agent reported ready.
 */
export const lifecycleTransitions: Readonly<Record<LifecycleStatus, readonly LifecycleStatus[]>> = {
  registered: ['starting', 'error'],
  starting: ['idle', 'stopping', 'error'],
  idle: ['busy', 'stopping', 'error'],
  busy: ['idle', 'stopping', 'error'],
  stopping: ['stopped', 'error'],
  stopped: ['starting', 'error'],
  error: ['starting'],
};

/** True when the lifecycle allows going from `from` to `to`. */
export function canTransition(from: LifecycleStatus, to: LifecycleStatus): boolean {
  return lifecycleTransitions[from].includes(to);
}

/**
 * Checks one transition and returns its target.
 * @throws SbError `E_INVALID_TRANSITION` naming both statuses and where `from` may go.
 */
export function transition(from: LifecycleStatus, to: LifecycleStatus): LifecycleStatus {
  if (canTransition(from, to)) return to;
  throw new SbError(
    'E_INVALID_TRANSITION',
    `cannot go from ${from} to ${to}; from ${from} the agent can go to ${lifecycleTransitions[from].join(', ')}`,
    { details: { from, to, allowed: lifecycleTransitions[from] } },
  );
}

/**
 * The statuses an agent passes through when the gateway reports a new connection: from
 * `registered`, `stopped` or `error` straight to `starting`; from a live status (the previous
 * connection's end was not seen yet, e.g. it was replaced) through `stopping` and `stopped`
 * first, so history shows the old session ending. Already `starting`: nothing. The agent then
 * reports `idle` itself.
 */
export function pathOnConnect(from: LifecycleStatus): LifecycleStatus[] {
  switch (from) {
    case 'registered':
    case 'stopped':
    case 'error':
      return ['starting'];
    case 'starting':
      return [];
    case 'idle':
    case 'busy':
      return ['stopping', 'stopped', 'starting'];
    case 'stopping':
      return ['stopped', 'starting'];
    default:
      return assertNever(from);
  }
}

/** Disconnect reasons that mean the agent vanished rather than left: they end in `error`. */
export const failureDisconnectReasons: readonly DisconnectReason[] = [
  'heartbeat_timeout',
  'gateway_lost',
];

/**
 * The statuses an agent passes through when its current connection ends: `error` when it
 * vanished ({@link failureDisconnectReasons}, unless it is already `error`), else through
 * `stopping` to `stopped`. Already at rest (`registered`, `stopped`, `error`): nothing.
 */
export function pathOnDisconnect(
  from: LifecycleStatus,
  reason: DisconnectReason,
): LifecycleStatus[] {
  if (from === 'registered' || from === 'stopped' || from === 'error') return [];
  if (failureDisconnectReasons.includes(reason)) return ['error'];
  return from === 'stopping' ? ['stopped'] : ['stopping', 'stopped'];
}

function assertNever(value: never): never {
  throw new SbError('E_INTERNAL', `unknown lifecycle status ${String(value)}`);
}
