import { describe, expect, it } from 'vitest';
import { checkReadiness } from './readiness.ts';

describe('checkReadiness', () => {
  it('is ready when every check resolves', async () => {
    const report = await checkReadiness({ a: async () => 1, b: async () => undefined }, 100);
    expect(report).toEqual({ ready: true, checks: { a: 'ok', b: 'ok' } });
  });

  it('names each failing dependency with its reason, and bounds a hung one', async () => {
    const report = await checkReadiness(
      {
        postgres: async () => {
          throw new Error('connection refused');
        },
        redis: () => new Promise(() => {}),
        nats: async () => 0,
        odd: () => Promise.reject('plain string'),
      },
      50,
    );
    expect(report).toEqual({
      ready: false,
      checks: {
        postgres: 'connection refused',
        redis: 'no answer within 50 ms',
        nats: 'ok',
        odd: 'plain string',
      },
    });
  });
});
