import { describe, expect, it } from 'vitest';
import { AuthChangedEventSchema } from './events.ts';

describe('auth.changed', () => {
  it('carries a key id, what happened and when, never a secret', () => {
    const event = { keyId: '0123456789abcdef', change: 'revoked', at: '2026-01-01T00:00:00Z' };
    expect(AuthChangedEventSchema.parse(event)).toEqual(event);
    expect(AuthChangedEventSchema.safeParse({ ...event, change: 'rotated' }).success).toBe(false);
    expect(AuthChangedEventSchema.safeParse({ ...event, token: 'sbk_x' }).success).toBe(false);
  });

  it('names a changed role, never its grants', () => {
    const event = { role: 'billing-reader', change: 'role_changed', at: '2026-01-01T00:00:00Z' };
    expect(AuthChangedEventSchema.parse(event)).toEqual(event);
    expect(AuthChangedEventSchema.safeParse({ ...event, change: 'revoked' }).success).toBe(false);
    expect(AuthChangedEventSchema.safeParse({ ...event, grants: [] }).success).toBe(false);
  });
});
