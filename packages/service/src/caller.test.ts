import { encodePrincipal } from '@switchboard/authz';
import { describe, expect, it } from 'vitest';
import { callerOf } from './caller.ts';

const header = (id: string, roles: string[] = []) =>
  encodePrincipal({
    id,
    credential: { type: 'api_key', id: 'k1' },
    agentIds: [],
    roles,
    grants: [],
  });

describe('callerOf', () => {
  it('reads an agent principal with its agent id, and a key principal without', () => {
    const agent = callerOf(header('agent:planner-1'));
    expect(agent.agentId).toBe('planner-1');
    expect(agent.principal.id).toBe('agent:planner-1');
    expect(callerOf(header('key:k1')).agentId).toBeNull();
  });

  it('expands roles into grants, and answers the same header with the same caller', () => {
    const admin = header('key:k_admin', ['admin']);
    const first = callerOf(admin);
    expect(first.principal.grants.length).toBeGreaterThan(0);
    expect(first.header).toBe(admin);
    expect(callerOf(admin)).toBe(first);
  });

  it('refuses a missing or malformed header', () => {
    expect(() => callerOf(undefined)).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED' }));
    expect(() => callerOf('not a principal')).toThrow(
      expect.objectContaining({ code: 'E_UNAUTHORIZED' }),
    );
  });
});
