import { mintApiKey, OperatorScopes } from '@switchboard/authz';
import { type Command, InvalidArgumentError } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatRecord, formatTable } from '../table.ts';
import { registerCardKeyCommand } from './card-key.ts';
import { collect, parsePositiveInt, printMore } from './options.ts';
import { registerPayloadKeyCommand } from './payload-key.ts';
import { registerPrincipalKeyCommand } from './principal-key.ts';

/** An API key as the API returns it. */
interface ApiKey {
  id: string;
  name: string;
  status: string;
  agentIds: string[];
  roles: string[];
  grants: unknown[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Collects a `--grant` option's JSON values. */
export function parseGrant(value: string, previous: unknown[] | undefined): unknown[] {
  try {
    return [...(previous ?? []), JSON.parse(value)];
  } catch {
    throw new InvalidArgumentError(`not JSON: ${value}`);
  }
}

function parseScope(value: string, previous: string[] | undefined): string[] {
  if (value !== '*' && !(OperatorScopes as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${[...OperatorScopes, '*'].join(', ')}`);
  }
  return collect(value, previous);
}

function describeKey(key: ApiKey): string {
  return formatRecord([
    ['id', key.id],
    ['name', key.name],
    ['status', key.status],
    ['agents', cell(key.agentIds)],
    ['roles', cell(key.roles)],
    ['grants', key.grants.length === 0 ? '-' : JSON.stringify(key.grants)],
    ['created', `${key.createdAt} by ${key.createdBy}`],
    ['expires', cell(key.expiresAt)],
    ['revoked', cell(key.revokedAt)],
  ]);
}

/** `switchboard keys bootstrap | create | ls | show | revoke`. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const keys = program
    .command('keys')
    .description('API keys: create, list, revoke; payload encryption and card signing keys');
  registerPayloadKeyCommand(keys, io);
  registerCardKeyCommand(keys, io);
  registerPrincipalKeyCommand(keys, io);

  keys
    .command('bootstrap')
    .description(
      'Print a new admin key and its SHA-256, offline: give the gateway the hash, keep the token',
    )
    .action((_options, command: Command) => {
      const context = contextOf(command, io);
      const minted = mintApiKey();
      if (context.json) {
        context.printJson({ keyId: 'bootstrap', token: minted.token, sha256: minted.sha256 });
        return;
      }
      context.print(
        [
          `token:  ${minted.token}`,
          `sha256: ${minted.sha256}`,
          '',
          'Give the gateway the hash (not the token):',
          `  SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256=${minted.sha256}`,
          'Keep the token secret; it is shown only now. Use it as the admin key:',
          `  export SB_API_KEY=${minted.token}`,
        ].join('\n'),
      );
    });

  keys
    .command('create')
    .description('Create an API key; its token is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--agent <id>', 'an agent id the key may act as (`*`: any); repeatable', collect)
    .option(
      '--role <role>',
      'a role: admin, agent, observer or a custom one (`roles ls`); repeatable',
      collect,
    )
    .option('--scope <scope>', 'an operator scope (keys:read, ..., `*`); repeatable', parseScope)
    .option('--grant <json>', 'a grant as JSON; repeatable', parseGrant)
    .option('--expires <time>', 'when the key stops working (ISO 8601)')
    .action(async (options, command: Command) => {
      const context = contextOf(command, io);
      const { name, agent, role, scope, grant, expires } = options as {
        name: string;
        agent?: string[];
        role?: string[];
        scope?: string[];
        grant?: unknown[];
        expires?: string;
      };
      const grants = [...(grant ?? []), ...(scope ? [{ kind: 'operator', scopes: scope }] : [])];
      const created = await context
        .client()
        .request<{ token: string; key: ApiKey }>('POST', '/v1/keys', {
          name,
          agentIds: agent ?? [],
          roles: role ?? [],
          grants,
          ...(expires ? { expiresAt: expires } : {}),
        });
      if (context.json) {
        context.printJson(created);
        return;
      }
      context.print(`${describeKey(created.key)}\n\ntoken: ${created.token}`);
      io.stderr('The token is shown only now: store it.\n');
    });

  keys
    .command('ls')
    .description('List API keys, newest first')
    .option('--all', 'include revoked keys')
    .option('--limit <n>', 'keys per page (1 to 200)', parsePositiveInt)
    .option('--cursor <cursor>', 'the page after this cursor')
    .action(async (options, command: Command) => {
      const context = contextOf(command, io);
      const { all, limit, cursor } = options as { all?: boolean; limit?: number; cursor?: string };
      const page = await context
        .client()
        .request<{ items: ApiKey[]; nextCursor: string | null }>(
          'GET',
          `/v1/keys${queryString({ includeRevoked: all === true ? true : undefined, limit, cursor })}`,
        );
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'id', value: (key) => key.id },
          { heading: 'name', value: (key) => key.name },
          { heading: 'status', value: (key) => key.status },
          { heading: 'roles', value: (key) => cell(key.roles) },
          { heading: 'agents', value: (key) => cell(key.agentIds) },
          { heading: 'created', value: (key) => key.createdAt },
        ]),
      );
      printMore(io, page.nextCursor);
    });

  keys
    .command('show <id>')
    .description('Show one API key')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const key = await context
        .client()
        .request<ApiKey>('GET', `/v1/keys/${encodeURIComponent(id)}`);
      if (context.json) context.printJson(key);
      else context.print(describeKey(key));
    });

  keys
    .command('revoke <id>')
    .description('Revoke an API key: it stops working at once and its agents are disconnected')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const key = await context
        .client()
        .request<ApiKey>('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
      if (context.json) context.printJson(key);
      else context.print(`revoked ${key.id} (${key.name}) at ${key.revokedAt ?? '-'}`);
    });
}
