import { describe, expect, it } from 'vitest';
import { SbError } from './errors.ts';
import { DisconnectReasons } from './events/agent-events.ts';
import {
  canTransition,
  LifecycleStatuses,
  lifecycleTransitions,
  pathOnConnect,
  pathOnDisconnect,
  transition,
} from './lifecycle.ts';

describe('the agent lifecycle', () => {
  it('allows exactly the documented transitions', () => {
    const legal = LifecycleStatuses.flatMap((from) =>
      LifecycleStatuses.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(legal.sort()).toEqual(
      [
        'registered>starting',
        'registered>error',
        'starting>idle',
        'starting>stopping',
        'starting>error',
        'idle>busy',
        'idle>stopping',
        'idle>error',
        'busy>idle',
        'busy>stopping',
        'busy>error',
        'stopping>stopped',
        'stopping>error',
        'stopped>starting',
        'stopped>error',
        'error>starting',
      ].sort(),
    );
  });

  it('returns the target of a legal transition', () => {
    expect(transition('idle', 'busy')).toBe('busy');
  });

  it('refuses an illegal transition naming from, to and where the agent can go', () => {
    let thrown: unknown;
    try {
      transition('stopped', 'busy');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SbError);
    expect(thrown).toMatchObject({
      code: 'E_INVALID_TRANSITION',
      message: 'cannot go from stopped to busy; from stopped the agent can go to starting, error',
      details: { from: 'stopped', to: 'busy', allowed: ['starting', 'error'] },
    });
  });

  it('never transitions a status to itself', () => {
    for (const status of LifecycleStatuses) expect(canTransition(status, status)).toBe(false);
  });

  it('maps a connect to a legal path ending in starting from every status', () => {
    for (const from of LifecycleStatuses) {
      const path = pathOnConnect(from);
      let at = from;
      for (const next of path) at = transition(at, next);
      expect(at).toBe('starting');
    }
    expect(pathOnConnect('stopped')).toEqual(['starting']);
    expect(pathOnConnect('idle')).toEqual(['stopping', 'stopped', 'starting']);
    expect(pathOnConnect('stopping')).toEqual(['stopped', 'starting']);
    expect(pathOnConnect('starting')).toEqual([]);
  });

  it('refuses an unknown status when mapping a connect', () => {
    expect(() => pathOnConnect('paused' as never)).toThrow('unknown lifecycle status paused');
  });

  it('maps a disconnect to stopped, or to error when the agent vanished', () => {
    for (const from of LifecycleStatuses) {
      for (const reason of DisconnectReasons) {
        let at = from;
        for (const next of pathOnDisconnect(from, reason)) at = transition(at, next);
        expect(['registered', 'stopped', 'error']).toContain(at);
      }
    }
    expect(pathOnDisconnect('busy', 'closed')).toEqual(['stopping', 'stopped']);
    expect(pathOnDisconnect('stopping', 'operator')).toEqual(['stopped']);
    expect(pathOnDisconnect('idle', 'heartbeat_timeout')).toEqual(['error']);
    expect(pathOnDisconnect('starting', 'gateway_lost')).toEqual(['error']);
    expect(pathOnDisconnect('stopped', 'closed')).toEqual([]);
    expect(pathOnDisconnect('error', 'gateway_lost')).toEqual([]);
    expect(pathOnDisconnect('registered', 'closed')).toEqual([]);
  });

  it('lists targets only among known statuses', () => {
    for (const targets of Object.values(lifecycleTransitions)) {
      for (const target of targets) expect(LifecycleStatuses).toContain(target);
    }
  });
});
