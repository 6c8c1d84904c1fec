import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.ts';
import type { Grant } from './grant.ts';
import { grantKinds } from './grant.ts';
import { OperatorScopes } from './kinds/operator.ts';
import type { Principal } from './principal.ts';
import type { AuthzRequest } from './request.ts';
import {
  builtInRoles,
  type RoleDefinition,
  RoleDefinitionSchema,
  resolvePrincipal,
} from './roles.ts';

function withRoles(roles: string[], grants: Principal['grants'] = []): Principal {
  return {
    id: 'agent:a1',
    credential: { type: 'jwt', id: 'user-7' },
    agentIds: ['a1'],
    roles,
    grants,
  };
}

// One request per grant kind, as wide as each kind allows.
const everyKind: AuthzRequest[] = [
  { kind: 'publish', topic: 'any.topic' },
  { kind: 'subscribe', topic: '>' },
  { kind: 'broadcast' },
  { kind: 'operator', scope: 'keys:write' },
  { kind: 'tool', name: 'any.tool', action: 'call' },
  { kind: 'state', scope: 'any.scope', access: 'write' },
  { kind: 'task', type: 'any.type', action: 'execute' },
  { kind: 'a2a', peer: 'any-peer' },
];

describe('resolvePrincipal', () => {
  it('gives admin every kind with every target', () => {
    expect(everyKind.map((request) => request.kind)).toEqual(grantKinds);
    const { principal, unknownRoles } = resolvePrincipal(withRoles(['admin']));
    expect(unknownRoles).toEqual([]);
    for (const request of everyKind)
      expect(authorize(principal, request)).toEqual({ allowed: true });
    for (const scope of OperatorScopes) {
      expect(authorize(principal, { kind: 'operator', scope }).allowed).toBe(true);
    }
  });

  it('does not let admin act as agent ids its credential is not bound to', () => {
    const { principal } = resolvePrincipal(withRoles(['admin']));
    expect(authorize(principal, { kind: 'agent', agentId: 'a1' }).allowed).toBe(true);
    expect(authorize(principal, { kind: 'agent', agentId: 'a2' }).allowed).toBe(false);
  });

  it('gives the agent role nothing beyond its own grants', () => {
    const own: Grant[] = [{ kind: 'publish', topics: ['chat.a1'] }];
    const { principal } = resolvePrincipal(withRoles(['agent'], own));
    expect(principal.grants).toEqual(own);
    expect(authorize(principal, { kind: 'publish', topic: 'chat.a2' }).allowed).toBe(false);
  });

  it('gives observer every operator read scope and no write scope', () => {
    const { principal } = resolvePrincipal(withRoles(['observer']));
    for (const scope of OperatorScopes) {
      expect(authorize(principal, { kind: 'operator', scope }).allowed).toBe(
        scope.endsWith(':read'),
      );
    }
    expect(authorize(principal, { kind: 'operator', scope: 'events:read' }).allowed).toBe(true);
    expect(authorize(principal, { kind: 'publish', topic: 'a' }).allowed).toBe(false);
  });

  it('ignores and reports unknown roles, which grant nothing', () => {
    const { principal, unknownRoles } = resolvePrincipal(withRoles(['superuser', 'observer']));
    expect(unknownRoles).toEqual(['superuser']);
    expect(authorize(principal, { kind: 'operator', scope: 'keys:write' }).allowed).toBe(false);
  });

  it('uses custom roles, the first definition of a name winning', () => {
    const roles: RoleDefinition[] = [
      ...builtInRoles,
      { name: 'admin', grants: [] },
      { name: 'reporter', grants: [{ kind: 'task', types: ['report.*'], actions: ['submit'] }] },
    ];
    const { principal } = resolvePrincipal(withRoles(['reporter', 'admin']), roles);
    expect(authorize(principal, { kind: 'task', type: 'report.pdf', action: 'submit' })).toEqual({
      allowed: true,
    });
    expect(authorize(principal, { kind: 'a2a', peer: 'x' }).allowed).toBe(true);
  });

  it('keeps own grants first, drops duplicates and is idempotent', () => {
    const own: Grant = { kind: 'operator', scopes: ['agents:read'] };
    const first = resolvePrincipal(withRoles(['observer', 'observer'], [own]));
    expect(first.principal.grants).toEqual([own, builtInRoles[2]?.grants[0]]);
    expect(resolvePrincipal(first.principal).principal).toEqual(first.principal);
    expect(first.principal.roles).toEqual(['observer', 'observer']);
  });

  it('leaves the input principal untouched', () => {
    const input = withRoles(['admin']);
    resolvePrincipal(input);
    expect(input.grants).toEqual([]);
  });
});

describe('RoleDefinitionSchema', () => {
  it('accepts every built-in role', () => {
    for (const role of builtInRoles) expect(RoleDefinitionSchema.parse(role)).toEqual(role);
  });

  it('refuses bad names and bad grants', () => {
    expect(RoleDefinitionSchema.safeParse({ name: 'Admin', grants: [] }).success).toBe(false);
    expect(
      RoleDefinitionSchema.safeParse({ name: 'ops', grants: [{ kind: 'root' }] }).success,
    ).toBe(false);
  });
});
