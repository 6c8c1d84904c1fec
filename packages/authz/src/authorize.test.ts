import { isSbError, SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { assertAllowed, authorize } from './authorize.ts';
import type { Grant } from './grant.ts';
import type { Principal } from './principal.ts';
import type { AuthzRequest } from './request.ts';

function principal(grants: Grant[], agentIds: string[] = []): Principal {
  return {
    id: 'key:abc',
    credential: { type: 'api_key', id: 'abc' },
    agentIds,
    roles: [],
    grants,
  };
}

function reasonOf(p: Principal, request: AuthzRequest): string {
  const decision = authorize(p, request);
  if (decision.allowed) throw new Error(`expected a denial of ${JSON.stringify(request)}`);
  return decision.reason;
}

describe('authorize: default deny', () => {
  const nobody = principal([]);
  it.each<AuthzRequest>([
    { kind: 'agent', agentId: 'a1' },
    { kind: 'publish', topic: 'orders.eu' },
    { kind: 'subscribe', topic: 'orders.>' },
    { kind: 'broadcast' },
    { kind: 'operator', scope: 'agents:read' },
    { kind: 'tool', name: 'search.web', action: 'list' },
    { kind: 'state', scope: 'team.alpha', access: 'read' },
    { kind: 'task', type: 'report.generate', action: 'read' },
    { kind: 'a2a', peer: 'acme' },
  ])('denies $kind to a principal without grants', (request) => {
    expect(authorize(nobody, request)).toEqual({
      allowed: false,
      reason: expect.stringContaining('principal key:abc '),
    });
    expect(reasonOf(nobody, request)).toContain(request.kind);
  });

  it('does not let a grant of one kind allow a request of another', () => {
    const p = principal([{ kind: 'subscribe', topics: ['>'] }]);
    expect(authorize(p, { kind: 'publish', topic: 'orders.eu' }).allowed).toBe(false);
    expect(authorize(p, { kind: 'subscribe', topic: 'orders.eu' }).allowed).toBe(true);
  });
});

describe('authorize: agent', () => {
  it('allows the agent ids the credential is bound to, and any with *', () => {
    const bound = principal([], ['a1', 'a3']);
    expect(authorize(bound, { kind: 'agent', agentId: 'a3' })).toEqual({ allowed: true });
    expect(reasonOf(bound, { kind: 'agent', agentId: 'a2' })).toBe(
      'principal key:abc may not act as agent a2: credential api_key abc is not bound to that agent id',
    );
    expect(authorize(principal([], ['*']), { kind: 'agent', agentId: 'a2' }).allowed).toBe(true);
  });

  it('is not granted by grants, even admin-wide ones', () => {
    const p = principal([{ kind: 'operator', scopes: ['*'] }]);
    expect(authorize(p, { kind: 'agent', agentId: 'a1' }).allowed).toBe(false);
  });
});

describe('authorize: publish', () => {
  const p = principal([{ kind: 'publish', topics: ['orders.*', 'audit.>'] }]);

  it('allows topics a granted pattern matches', () => {
    expect(authorize(p, { kind: 'publish', topic: 'orders.eu' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'publish', topic: 'audit.login.failed' }).allowed).toBe(true);
  });

  it('denies other topics, naming principal, kind and topic', () => {
    expect(reasonOf(p, { kind: 'publish', topic: 'orders.eu.paris' })).toBe(
      'principal key:abc has no publish grant covering topic orders.eu.paris',
    );
  });

  it('denies publishing to a wildcard, saying why', () => {
    expect(reasonOf(p, { kind: 'publish', topic: 'orders.*' })).toBe(
      'principal key:abc cannot publish to orders.*: a topic is dot-separated non-empty tokens without wildcards',
    );
  });
});

describe('authorize: subscribe', () => {
  const p = principal([{ kind: 'subscribe', topics: ['a.>', 'b.*'] }]);

  it('allows patterns a granted pattern covers', () => {
    expect(authorize(p, { kind: 'subscribe', topic: 'a.b.*' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'subscribe', topic: 'a.>' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'subscribe', topic: 'b.x' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'subscribe', topic: 'b.*' }).allowed).toBe(true);
  });

  it('denies a pattern wider than the grant', () => {
    expect(reasonOf(p, { kind: 'subscribe', topic: 'b.>' })).toBe(
      'principal key:abc has no subscribe grant covering topic pattern b.>',
    );
    expect(authorize(p, { kind: 'subscribe', topic: '>' }).allowed).toBe(false);
  });

  it('denies an invalid pattern, saying what a pattern is', () => {
    expect(reasonOf(p, { kind: 'subscribe', topic: 'a.>.b' })).toContain(
      'principal key:abc cannot subscribe to a.>.b: a topic pattern is',
    );
  });
});

describe('authorize: broadcast', () => {
  it('allows any broadcast with an unrestricted grant', () => {
    const p = principal([{ kind: 'broadcast' }]);
    expect(authorize(p, { kind: 'broadcast' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'broadcast', capability: 'translate' }).allowed).toBe(true);
  });

  it('limits a capability grant to broadcasts narrowed to those capabilities', () => {
    const p = principal([{ kind: 'broadcast', capabilities: ['translate.*'] }]);
    expect(authorize(p, { kind: 'broadcast', capability: 'translate.fr' }).allowed).toBe(true);
    expect(reasonOf(p, { kind: 'broadcast', capability: 'billing' })).toBe(
      'principal key:abc has no broadcast grant for capability billing',
    );
    expect(reasonOf(p, { kind: 'broadcast' })).toBe(
      'principal key:abc has no broadcast grant to every agent',
    );
  });
});

describe('authorize: operator', () => {
  it('allows the granted scopes only', () => {
    const p = principal([{ kind: 'operator', scopes: ['agents:read', 'keys:read'] }]);
    expect(authorize(p, { kind: 'operator', scope: 'keys:read' }).allowed).toBe(true);
    expect(reasonOf(p, { kind: 'operator', scope: 'keys:write' })).toBe(
      'principal key:abc has no operator grant with scope keys:write',
    );
  });

  it('allows every scope with *', () => {
    const p = principal([{ kind: 'operator', scopes: ['*'] }]);
    expect(authorize(p, { kind: 'operator', scope: 'config:write' }).allowed).toBe(true);
  });
});

describe('authorize: tool', () => {
  const p = principal([
    { kind: 'tool', names: ['search.*'], actions: ['list', 'call'] },
    { kind: 'tool', names: ['admin.>'], versions: '^2.0.0', actions: ['list'] },
  ]);

  it('allows granted actions on tools a granted pattern matches', () => {
    expect(authorize(p, { kind: 'tool', name: 'search.web', action: 'call' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'tool', name: 'admin.users.drop', action: 'list' }).allowed).toBe(
      true,
    );
  });

  it('denies an action the matching grant does not list', () => {
    expect(reasonOf(p, { kind: 'tool', name: 'admin.users.drop', action: 'call' })).toBe(
      'principal key:abc has no tool grant to call tool admin.users.drop',
    );
  });

  it('denies tools no pattern matches', () => {
    expect(reasonOf(p, { kind: 'tool', name: 'mail.send', action: 'list' })).toBe(
      'principal key:abc has no tool grant to list tool mail.send',
    );
  });

  it('checks name and action only: the version range is left to the tool-registry', () => {
    const request = { kind: 'tool', name: 'admin.x', version: '1.0.0', action: 'list' } as const;
    expect(authorize(p, request).allowed).toBe(true);
  });
});

describe('authorize: state', () => {
  const p = principal([
    { kind: 'state', scopes: ['team.*'], access: ['read'] },
    { kind: 'state', scopes: ['team.alpha'], access: ['read', 'write'] },
  ]);

  it('allows the granted access on matching scopes', () => {
    expect(authorize(p, { kind: 'state', scope: 'team.beta', access: 'read' }).allowed).toBe(true);
    expect(authorize(p, { kind: 'state', scope: 'team.alpha', access: 'write' }).allowed).toBe(
      true,
    );
  });

  it('denies access not granted on that scope, and scopes no pattern matches', () => {
    expect(reasonOf(p, { kind: 'state', scope: 'team.beta', access: 'write' })).toBe(
      'principal key:abc has no state grant to write scope team.beta',
    );
    expect(authorize(p, { kind: 'state', scope: 'ops', access: 'read' }).allowed).toBe(false);
  });
});

describe('authorize: task', () => {
  const p = principal([{ kind: 'task', types: ['report.>'], actions: ['submit', 'read'] }]);

  it('allows the granted actions on matching task types', () => {
    expect(authorize(p, { kind: 'task', type: 'report.pdf', action: 'submit' }).allowed).toBe(true);
  });

  it('denies other actions and other types', () => {
    expect(reasonOf(p, { kind: 'task', type: 'report.pdf', action: 'cancel' })).toBe(
      'principal key:abc has no task grant to cancel tasks of type report.pdf',
    );
    expect(authorize(p, { kind: 'task', type: 'email', action: 'read' }).allowed).toBe(false);
  });
});

describe('authorize: a2a', () => {
  const p = principal([{ kind: 'a2a', peers: ['acme.*'] }]);

  it('allows peers a granted pattern matches, and denies others', () => {
    expect(authorize(p, { kind: 'a2a', peer: 'acme.billing' }).allowed).toBe(true);
    expect(reasonOf(p, { kind: 'a2a', peer: 'globex' })).toBe(
      'principal key:abc has no a2a grant for peer globex',
    );
  });
});

describe('authorize: unknown kinds', () => {
  it('throws E_INTERNAL for a request kind it does not know (an untyped caller bug)', () => {
    const request = { kind: 'teleport' } as unknown as AuthzRequest;
    expect(() => authorize(principal([]), request)).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL', message: expect.stringContaining('teleport') }),
    );
  });
});

describe('assertAllowed', () => {
  it('returns when allowed', () => {
    const p = principal([{ kind: 'a2a', peers: ['>'] }]);
    expect(() => assertAllowed(p, { kind: 'a2a', peer: 'acme' })).not.toThrow();
  });

  it('throws E_FORBIDDEN with the reason and the principal and kind in details', () => {
    let thrown: unknown;
    try {
      assertAllowed(principal([]), { kind: 'publish', topic: 'orders.eu' });
    } catch (error) {
      thrown = error;
    }
    expect(isSbError(thrown)).toBe(true);
    expect(thrown).toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'principal key:abc has no publish grant covering topic orders.eu',
      details: { principal: 'key:abc', kind: 'publish' },
    });
    expect(thrown).toBeInstanceOf(SbError);
  });
});
