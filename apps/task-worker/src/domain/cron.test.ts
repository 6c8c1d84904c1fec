import { describe, expect, it } from 'vitest';
import { nextTick } from './cron.ts';

describe('nextTick', () => {
  it('finds the next tick after a time, seconds included', () => {
    const at = new Date('2026-01-01T00:00:00.500Z');
    expect(nextTick('*/2 * * * * *', 'UTC', at).toISOString()).toBe('2026-01-01T00:00:02.000Z');
  });

  it('reads the expression in its time zone', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    // 09:00 in Paris is 07:00 UTC in summer.
    expect(nextTick('0 9 * * *', 'Europe/Paris', at).toISOString()).toBe(
      '2026-06-01T07:00:00.000Z',
    );
  });

  it('refuses an expression it cannot read, naming the field', () => {
    expect(() => nextTick('not a cron', 'UTC', new Date())).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION', details: { path: '/cron' } }),
    );
  });
});
