import type { Status, Subscription } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { logStatus } from './status.ts';
import { capturingLogger } from './test-support.ts';

function levelOf(status: Status) {
  const log = capturingLogger();
  logStatus(log, status);
  expect(log.lines).toHaveLength(1);
  return log.lines[0];
}

describe('logStatus', () => {
  it('warns when the connection is lost, stale or the server is leaving', () => {
    expect(levelOf({ type: 'disconnect', server: 'a:4222' })).toEqual({
      level: 'warn',
      obj: { server: 'a:4222' },
      msg: 'lost the NATS connection; reconnecting',
    });
    expect(levelOf({ type: 'staleConnection' })?.level).toBe('warn');
    expect(levelOf({ type: 'ldm', server: 'a:4222' })?.msg).toBe(
      'the NATS server is shutting down (lame duck mode)',
    );
  });

  it('tells when the connection is back', () => {
    expect(levelOf({ type: 'reconnect', server: 'a:4222' })).toEqual({
      level: 'info',
      obj: { server: 'a:4222' },
      msg: 'reconnected to NATS',
    });
  });

  it('logs server errors as errors with the error', () => {
    const err = new Error('permissions violation');
    expect(levelOf({ type: 'error', error: err })).toEqual({
      level: 'error',
      obj: { err },
      msg: 'NATS reported an error',
    });
  });

  it('names the subscription of a slow consumer', () => {
    const sub = { getSubject: () => 'sb.v1.router.send' } as Subscription;
    expect(levelOf({ type: 'slowConsumer', sub, pending: 9000 })).toEqual({
      level: 'warn',
      obj: { subject: 'sb.v1.router.send', pending: 9000 },
      msg: 'a NATS subscription cannot keep up with its messages',
    });
  });

  it('keeps routine changes at debug', () => {
    const routine: Status[] = [
      { type: 'reconnecting' },
      { type: 'update', added: ['b:4222'] },
      { type: 'ping', pendingPings: 1 },
      { type: 'forceReconnect' },
      { type: 'close' },
      { type: 'future' } as unknown as Status,
    ];
    for (const status of routine) expect(levelOf(status)?.level).toBe('debug');
  });
});
