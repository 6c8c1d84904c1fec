import { describe, expect, it } from 'vitest';
import { unreachableError } from './unreachable.ts';

describe('unreachableError', () => {
  it('names the dependency, the address, the reason and how to start it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    const error = unreachableError('Redis', '127.0.0.1:6379', refused);
    expect(error).toMatchObject({
      code: 'E_UNAVAILABLE',
      details: { dependency: 'Redis', address: '127.0.0.1:6379' },
      cause: refused,
    });
    expect(error.message).toBe(
      'Redis is unreachable at 127.0.0.1:6379 (connect ECONNREFUSED 127.0.0.1:6379). If it runs on ' +
        'this machine, start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 ' +
        '--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    );
  });

  it('puts the code before a message that lacks it, and uses it alone for an empty message', () => {
    const timeout = Object.assign(new Error('timed out'), { code: 'CONNECT_TIMEOUT' });
    expect(unreachableError('Postgres', 'db:5432', timeout).message).toContain(
      '(CONNECT_TIMEOUT: timed out)',
    );
    const aggregate = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(unreachableError('Postgres', 'db:5432', aggregate).message).toContain('(ECONNREFUSED)');
    expect(unreachableError('Postgres', 'db:5432', new AggregateError([], '')).message).toContain(
      '(AggregateError)',
    );
    expect(unreachableError('NATS', 'nats://n:4222', 'down').message).toContain('(down)');
  });
});
