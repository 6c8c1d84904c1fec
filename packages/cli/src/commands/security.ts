import type { SecurityEvent } from '@switchboard/protocol';
import { SecurityEventKinds } from '@switchboard/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatTable } from '../table.ts';
import { parsePositiveInt, printMore } from './options.ts';

function parseKind(value: string, previous: string[] | undefined): string[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) {
    if (!(SecurityEventKinds as readonly string[]).includes(kind)) {
      throw new InvalidArgumentError(`use one of ${SecurityEventKinds.join(', ')}`);
    }
  }
  return [...(previous ?? []), ...kinds];
}

function parseTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('use an ISO 8601 time, e.g. 2026-11-26T10:00:00Z');
  }
  return time.toISOString();
}

// Who: the principal when known, else the credential id.
const whoOf = (event: SecurityEvent) => cell(event.principal ?? event.credentialId);

/** `switchboard security events`. */
export function registerSecurityCommands(program: Command, io: CliIo): void {
  const security = program
    .command('security')
    .description('Security events and alerts of the whole mesh');

  security
    .command('events')
    .description(
      'List security events, newest first: refused credentials, revoked keys, forbidden actions, rate-limit hits, payloads that did not decrypt, alerts',
    )
    .option(
      '--kind <kind>',
      `only these kinds (repeatable or comma-separated): ${SecurityEventKinds.join(', ')}`,
      parseKind,
    )
    .option('--principal <id>', 'only events of this principal (key:<id>) or credential id')
    .option('--ip <address>', 'only events from this client address')
    .option('--since <time>', 'only events at or after this time (ISO 8601)', parseTime)
    .option('--until <time>', 'only events at or before this time (ISO 8601)', parseTime)
    .option('--limit <n>', 'events per page (1 to 200)', parsePositiveInt)
    .option('--cursor <cursor>', 'the page after this cursor')
    .action(async (options, command: Command) => {
      const context = contextOf(command, io);
      const { kind, principal, ip, since, until, limit, cursor } = options as {
        kind?: string[];
        principal?: string;
        ip?: string;
        since?: string;
        until?: string;
        limit?: number;
        cursor?: string;
      };
      const page = await context.client().request<{
        items: SecurityEvent[];
        nextCursor: string | null;
      }>(
        'GET',
        `/v1/security/events${queryString({
          kind: kind?.join(','),
          principal,
          ip,
          since,
          until,
          limit,
          cursor,
        })}`,
      );
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'at', value: (event) => new Date(event.at).toISOString() },
          { heading: 'kind', value: (event) => event.kind },
          { heading: 'service', value: (event) => event.service },
          { heading: 'who', value: whoOf },
          { heading: 'ip', value: (event) => cell(event.ip) },
          { heading: 'path', value: (event) => cell(event.path) },
          { heading: 'detail', value: (event) => cell(event.detail) },
        ]),
      );
      printMore(io, page.nextCursor);
    });
}
