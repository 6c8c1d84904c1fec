import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';
import { formatTable } from '../table.ts';
import { parseGrant } from './keys.ts';

/** A role as the API returns it. */
interface Role {
  name: string;
  grants: unknown[];
  builtIn: boolean;
}

/** `switchboard roles ls | set | rm`: the roles keys and JWTs name, custom ones kept here. */
export function registerRoleCommands(program: Command, io: CliIo): void {
  const roles = program
    .command('roles')
    .description('Roles: named sets of grants that keys and JWTs name (`keys create --role`)');

  roles
    .command('ls')
    .description('List the built-in and custom roles with their grants')
    .action(async (_options, command: Command) => {
      const context = contextOf(command, io);
      const page = await context.client().request<{ items: Role[] }>('GET', '/v1/roles');
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'name', value: (role) => role.name },
          { heading: 'kind', value: (role) => (role.builtIn ? 'built-in' : 'custom') },
          { heading: 'grants', value: (role) => JSON.stringify(role.grants) },
        ]),
      );
    });

  roles
    .command('set <name>')
    .description(
      'Create a custom role or replace its grants; it applies to the next request of every credential naming it',
    )
    .option(
      '--grant <json>',
      'a grant as JSON; repeatable (none: the role grants nothing)',
      parseGrant,
    )
    .action(async (name: string, options, command: Command) => {
      const context = contextOf(command, io);
      const { grant } = options as { grant?: unknown[] };
      const role = await context
        .client()
        .request<Role>('PUT', `/v1/roles/${encodeURIComponent(name)}`, { grants: grant ?? [] });
      if (context.json) context.printJson(role);
      else context.print(`role ${role.name}: ${JSON.stringify(role.grants)}`);
    });

  roles
    .command('rm <name>')
    .description('Delete a custom role: credentials naming it get nothing from it')
    .action(async (name: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const removed = await context
        .client()
        .request<{ removed: true }>('DELETE', `/v1/roles/${encodeURIComponent(name)}`);
      if (context.json) context.printJson({ name, ...removed });
      else context.print(`removed role ${name}`);
    });
}
