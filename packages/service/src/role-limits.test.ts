import { describe, expect, it } from 'vitest';
import { limitForRoles, roleLimitsSetting } from './role-limits.ts';

const fallback = { capacity: 100, refillPerSecond: 10 };
const byRole = {
  observer: { capacity: 5, refillPerSecond: 1 },
  bulk: { capacity: 50, refillPerSecond: 100 },
  burst: { capacity: 500, refillPerSecond: 100 },
};

describe('limitForRoles', () => {
  it('gives a principal with no listed role the default bucket', () => {
    expect(limitForRoles([], byRole, fallback)).toBe(fallback);
    expect(limitForRoles(['agent', 'constructor'], byRole, fallback)).toBe(fallback);
  });

  it('gives a listed role its bucket, even when it is smaller than the default', () => {
    expect(limitForRoles(['observer'], byRole, fallback)).toBe(byRole.observer);
  });

  it('gives a principal with several roles the most generous: highest rate, then largest burst', () => {
    expect(limitForRoles(['observer', 'bulk'], byRole, fallback)).toBe(byRole.bulk);
    expect(limitForRoles(['bulk', 'observer'], byRole, fallback)).toBe(byRole.bulk);
    expect(limitForRoles(['bulk', 'burst'], byRole, fallback)).toBe(byRole.burst);
    expect(limitForRoles(['burst', 'bulk'], byRole, fallback)).toBe(byRole.burst);
  });
});

describe('roleLimitsSetting', () => {
  it('defaults to no roles and refuses an incomplete bucket', () => {
    const setting = roleLimitsSetting();
    expect(setting.parse(undefined)).toEqual({});
    expect(setting.safeParse({ observer: { capacity: 5 } }).success).toBe(false);
  });
});
