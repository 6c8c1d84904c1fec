import { encodePrincipal, type Principal } from '@switchboard/authz';
import { describe, expect, it } from 'vitest';
import { authorizeState } from './access.ts';

function principal(id: string, extra: Partial<Principal> = {}): string {
  return encodePrincipal({
    id,
    credential: { type: 'api_key', id: 'k1' },
    agentIds: [],
    roles: [],
    grants: [],
    ...extra,
  });
}

describe('authorizeState', () => {
  it('lets an agent read and write its own scope without grants', () => {
    expect(authorizeState(principal('agent:a1'), 'agent:a1', 'write')).toBe('agent:a1');
  });

  it('refuses an agent another agent scope without a grant', () => {
    expect(() => authorizeState(principal('agent:a1'), 'agent:a2', 'read')).toThrow(
      expect.objectContaining({ code: 'E_FORBIDDEN' }),
    );
  });

  it('follows state grants by access mode', () => {
    const reader = principal('key:k1', {
      grants: [{ kind: 'state', scopes: ['team.*'], access: ['read'] }],
    });
    expect(authorizeState(reader, 'team.alpha', 'read')).toBe('key:k1');
    expect(() => authorizeState(reader, 'team.alpha', 'write')).toThrow(
      expect.objectContaining({ code: 'E_FORBIDDEN' }),
    );
  });

  it('lets an admin through by its role', () => {
    expect(authorizeState(principal('key:k1', { roles: ['admin'] }), 'x.y', 'write')).toBe(
      'key:k1',
    );
  });

  it('refuses a request without a principal as E_UNAUTHORIZED', () => {
    expect(() => authorizeState(undefined, 'agent:a1', 'read')).toThrow(
      expect.objectContaining({ code: 'E_UNAUTHORIZED' }),
    );
  });
});
