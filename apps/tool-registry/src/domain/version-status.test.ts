import { describe, expect, it } from 'vitest';
import { nextStatus } from './version-status.ts';

describe('nextStatus', () => {
  it('deprecates an active or deprecated version', () => {
    expect(nextStatus('active', 'deprecate')).toBe('deprecated');
    expect(nextStatus('deprecated', 'deprecate')).toBe('deprecated');
  });

  it('retires from any status', () => {
    expect(nextStatus('active', 'retire')).toBe('retired');
    expect(nextStatus('deprecated', 'retire')).toBe('retired');
    expect(nextStatus('retired', 'retire')).toBe('retired');
  });

  it('refuses to deprecate a retired version', () => {
    expect(() => nextStatus('retired', 'deprecate')).toThrow(
      expect.objectContaining({ code: 'E_CONFLICT' }),
    );
  });
});
