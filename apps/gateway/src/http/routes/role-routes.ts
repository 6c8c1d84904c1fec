import {
  AuthChangedEventSchema,
  builtInRoles,
  GrantSchema,
  RoleDefinitionSchema,
  RoleNameSchema,
} from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import { z } from 'zod';
import type { OperatorRuntime } from '../operator-runtime.ts';
import { problemResponses } from '../problem-responses.ts';
import { principalOf, type RouteContext, type ZodScope } from '../route-context.ts';

const RoleSchema = RoleDefinitionSchema.extend({
  builtIn: z.boolean().describe('Built-in roles cannot be changed or deleted'),
}).meta({ id: 'Role' });

const RoleParamsSchema = z.strictObject({ name: RoleNameSchema });

function assertCustom(name: string): void {
  if (builtInRoles.some((role) => role.name === name)) {
    throw new SbError(
      'E_CONFLICT',
      `${name} is a built-in role and cannot be changed: define a role with another name`,
    );
  }
}

// The other replicas and the services that cache principals (tool-registry, a2a-peer) learn it
// here; this replica closes its own agent connections at once.
async function announce(runtime: OperatorRuntime, role: string): Promise<void> {
  runtime.control.closeConnectionsOfRole(role);
  await runtime.bus.publishEvent(
    runtime.bus.subjects.event('auth', 'changed'),
    AuthChangedEventSchema,
    { role, change: 'role_changed', at: new Date().toISOString() },
  );
}

/**
 * `/v1/roles`: the roles keys and JWTs may name, with the grants each bundles; custom roles are
 * created, redefined and deleted here (built-in ones cannot be). A change applies to the next
 * request of every credential naming the role; agent connections holding it are closed so the
 * agents reconnect with the new grants.
 */
export function registerRoleRoutes(scope: ZodScope, context: RouteContext): void {
  scope.get(
    '/roles',
    {
      config: { operatorScope: 'keys:read' },
      schema: {
        tags: ['keys'],
        summary: 'The roles keys and JWTs may name, with their grants',
        description: 'The built-in roles `admin`, `agent` and `observer`, then the custom roles.',
        response: {
          200: z.strictObject({ items: z.array(RoleSchema) }),
          ...problemResponses,
        },
      },
    },
    async () => ({
      items: [
        ...builtInRoles.map((role) => ({ ...role, builtIn: true })),
        ...(await context.runtime().roles.list())
          .filter((role) => !builtInRoles.some((builtIn) => builtIn.name === role.name))
          .map((role) => ({ ...role, builtIn: false })),
      ],
    }),
  );

  scope.put(
    '/roles/:name',
    {
      config: { operatorScope: 'keys:write' },
      schema: {
        tags: ['keys'],
        summary: 'Create a custom role or replace its grants',
        description:
          'Applies to the next request of every key and JWT naming the role; agents connected with such a credential are disconnected (1001, reconnect) so they act with the new grants. 409 for a built-in role.',
        params: RoleParamsSchema,
        body: z.strictObject({ grants: z.array(GrantSchema).max(256) }),
        response: { 200: RoleSchema, ...problemResponses },
      },
    },
    async (request) => {
      const runtime = context.runtime();
      const { name } = request.params;
      assertCustom(name);
      const role = await runtime.roles.put(
        { name, grants: request.body.grants },
        principalOf(request).id,
      );
      request.log.info({ role: name }, 'role defined');
      await announce(runtime, name);
      return { ...role, builtIn: false };
    },
  );

  scope.delete(
    '/roles/:name',
    {
      config: { operatorScope: 'keys:write' },
      schema: {
        tags: ['keys'],
        summary: 'Delete a custom role',
        description:
          'Credentials naming it keep the name but get nothing from it (default deny). 404 for an unknown role, 409 for a built-in one.',
        params: RoleParamsSchema,
        response: { 200: z.strictObject({ removed: z.literal(true) }), ...problemResponses },
      },
    },
    async (request) => {
      const runtime = context.runtime();
      const { name } = request.params;
      assertCustom(name);
      if (!(await runtime.roles.remove(name))) {
        throw new SbError('E_NOT_FOUND', `no custom role ${name}`);
      }
      request.log.info({ role: name }, 'role deleted');
      await announce(runtime, name);
      return { removed: true as const };
    },
  );
}
