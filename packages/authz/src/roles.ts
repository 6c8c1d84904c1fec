import { z } from 'zod';
import { type Grant, type GrantKind, type GrantOf, GrantSchema } from './grant.ts';
import { ALL_OPERATOR_SCOPES, OperatorScopes } from './kinds/operator.ts';
import { StateAccessModes } from './kinds/state.ts';
import { TaskActions } from './kinds/task.ts';
import { ToolActions } from './kinds/tool.ts';
import { type Principal, RoleNameSchema } from './principal.ts';

/** A named set of grants that principals get by naming it in `roles`. */
export const RoleDefinitionSchema = z.strictObject({
  name: RoleNameSchema,
  grants: z.array(GrantSchema),
});

/** A named set of grants (see {@link RoleDefinitionSchema}). */
export type RoleDefinition = z.infer<typeof RoleDefinitionSchema>;

// Keyed by kind so that a new grant kind does not compile until admin gets it too.
const adminGrantByKind: { [K in GrantKind]: GrantOf<K> } = {
  publish: { kind: 'publish', topics: ['>'] },
  subscribe: { kind: 'subscribe', topics: ['>'] },
  broadcast: { kind: 'broadcast' },
  operator: { kind: 'operator', scopes: [ALL_OPERATOR_SCOPES] },
  tool: { kind: 'tool', names: ['>'], actions: [...ToolActions] },
  state: { kind: 'state', scopes: ['>'], access: [...StateAccessModes] },
  task: { kind: 'task', types: ['>'], actions: [...TaskActions] },
  a2a: { kind: 'a2a', peers: ['>'] },
};

/**
 * The roles every deployment has:
 * - `admin`: every grant kind with every target, operator scope `*` included;
 * - `agent`: no grants (an agent acts as the ids its credential is bound to, nothing more);
 * - `observer`: every operator `:read` scope.
 */
export const builtInRoles: readonly RoleDefinition[] = [
  { name: 'admin', grants: Object.values(adminGrantByKind) },
  { name: 'agent', grants: [] },
  {
    name: 'observer',
    grants: [{ kind: 'operator', scopes: OperatorScopes.filter((s) => s.endsWith(':read')) }],
  },
];

/** A principal whose roles were expanded, and the role names no definition matched. */
export interface ResolvedPrincipal {
  readonly principal: Principal;
  readonly unknownRoles: readonly string[];
}

/**
 * Expands `principal.roles` into grants: the result holds the principal's own grants followed by
 * those of each role it names, without duplicates. A role is looked up by name in `roles`, first
 * definition first (list the built-ins first so custom roles cannot redefine them); a name with
 * no definition adds nothing (default deny) and is reported in `unknownRoles`. Resolving twice
 * gives the same principal.
 */
export function resolvePrincipal(
  principal: Principal,
  roles: readonly RoleDefinition[] = builtInRoles,
): ResolvedPrincipal {
  const grants = new Map<string, Grant>();
  const add = (grant: Grant) => grants.set(JSON.stringify(grant), grant);
  principal.grants.forEach(add);
  const unknownRoles: string[] = [];
  for (const name of principal.roles) {
    const role = roles.find((definition) => definition.name === name);
    if (role === undefined) unknownRoles.push(name);
    else role.grants.forEach(add);
  }
  return { principal: { ...principal, grants: [...grants.values()] }, unknownRoles };
}
