import type { Grant, Principal } from '@switchboard/authz';
import { describe, expect, it } from 'vitest';
import { toolAllowed, toolDenial } from './tool-access.ts';

const principal = (grants: Grant[]): Principal => ({
  id: 'agent:caller',
  credential: { type: 'api_key', id: 'k_1' },
  agentIds: ['caller'],
  roles: [],
  grants,
});

describe('toolAllowed', () => {
  const searcher = principal([
    { kind: 'publish', topics: ['>'] },
    { kind: 'tool', names: ['search.*'], actions: ['call'], versions: '^1.0.0' },
    { kind: 'tool', names: ['search.>'], actions: ['list'] },
  ]);

  it('allows an action on a name its pattern matches, within the version range', () => {
    expect(toolAllowed(searcher, { name: 'search.web', version: '1.4.0', action: 'call' })).toBe(
      true,
    );
  });

  it('counts prereleases inside the range', () => {
    expect(
      toolAllowed(searcher, { name: 'search.web', version: '1.5.0-beta.1', action: 'call' }),
    ).toBe(true);
  });

  it('refuses a version outside the range, another name or another action', () => {
    expect(toolAllowed(searcher, { name: 'search.web', version: '2.0.0', action: 'call' })).toBe(
      false,
    );
    expect(toolAllowed(searcher, { name: 'files.read', version: '1.0.0', action: 'call' })).toBe(
      false,
    );
    expect(toolAllowed(searcher, { name: 'search.web', version: '1.0.0', action: 'provide' })).toBe(
      false,
    );
  });

  it('covers every version when the grant names no range', () => {
    expect(
      toolAllowed(searcher, { name: 'search.web.deep', version: '9.0.0', action: 'list' }),
    ).toBe(true);
  });

  it('covers nothing with a range that does not parse, and nothing without grants', () => {
    const broken = principal([
      { kind: 'tool', names: ['>'], actions: ['call'], versions: 'not a range' },
    ]);
    expect(toolAllowed(broken, { name: 'a', version: '1.0.0', action: 'call' })).toBe(false);
    expect(toolAllowed(principal([]), { name: 'a', version: '1.0.0', action: 'call' })).toBe(false);
  });

  it('explains a denial with the principal, action and version', () => {
    expect(
      toolDenial(searcher, { name: 'files.read', version: '1.0.0', action: 'call' }),
    ).toContain('agent:caller has no tool grant to call files.read@1.0.0');
  });
});
