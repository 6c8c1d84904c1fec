import { describe, expect, it } from 'vitest';
import { GrantSchema, grantKinds } from './grant.ts';
import { PrincipalSchema, principalId } from './principal.ts';

describe('principalId', () => {
  it('builds ids that the schema accepts', () => {
    expect(principalId('key', 'k_3f9a')).toBe('key:k_3f9a');
    const base = {
      credential: { type: 'bootstrap', id: 'bootstrap' },
      agentIds: [],
      roles: [],
      grants: [],
    };
    for (const id of [
      principalId('agent', 'a1'),
      principalId('jwt', 'auth0|42'),
      'key:bootstrap',
    ]) {
      expect(PrincipalSchema.safeParse({ ...base, id }).success).toBe(true);
    }
    for (const id of ['agent:', 'agent:a 1', 'a1', 'operator:k1']) {
      expect(PrincipalSchema.safeParse({ ...base, id }).success).toBe(false);
    }
  });
});

describe('GrantSchema', () => {
  it('lists every kind', () => {
    expect(grantKinds).toEqual([
      'publish',
      'subscribe',
      'broadcast',
      'operator',
      'tool',
      'state',
      'task',
      'a2a',
    ]);
  });

  it('refuses misspelt fields instead of ignoring them', () => {
    expect(GrantSchema.safeParse({ kind: 'publish', topic: ['a'] }).success).toBe(false);
    expect(GrantSchema.safeParse({ kind: 'tool', names: ['a'], actions: ['run'] }).success).toBe(
      false,
    );
    expect(GrantSchema.safeParse({ kind: 'tool', names: ['a'], actions: [] }).success).toBe(false);
    expect(GrantSchema.safeParse({ kind: 'broadcast', capabilities: [] }).success).toBe(false);
    expect(GrantSchema.safeParse({ kind: 'broadcast' }).success).toBe(true);
  });
});
