import { type Command, InvalidArgumentError } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatRecord, formatTable } from '../table.ts';
import { parseJson, parsePositiveInt, printMore } from './options.ts';

/** A state document and its version, as `GET /v1/state/:scope/:key` answers. */
interface StateEntry {
  scope: string;
  key: string;
  version: number;
  document: unknown;
  updatedAt: string;
  updatedBy: string;
}

/** One kept version of a key. */
interface StateHistoryEntry {
  version: number;
  op: string;
  document: unknown;
  at: string;
  by: string;
}

const path = (scope: string, key: string, rest = '') =>
  `/v1/state/${encodeURIComponent(scope)}/${encodeURIComponent(key)}${rest}`;

/** A JSON document typed on the command line; anything else is `E_VALIDATION`. */
export function parseDocument(text: string): unknown {
  return parseJson(text, 'document');
}

/** A version: a whole number from 0 (0: the key must not exist yet). */
export function parseVersion(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError('use a whole number from 0 (0: the key must not exist yet)');
  }
  return parsed;
}

/** `switchboard state get | put | history`. */
export function registerStateCommands(program: Command, io: CliIo): void {
  const state = program
    .command('state')
    .description(
      "Shared state documents (scopes such as team.alpha or agent:<id>); the state service checks your key's state grants",
    );

  state
    .command('get <scope> <key>')
    .description('A document with its version')
    .action(async (scope: string, key: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const entry = await context.client().request<StateEntry>('GET', path(scope, key));
      if (context.json) {
        context.printJson(entry);
        return;
      }
      context.print(
        formatRecord([
          ['scope', entry.scope],
          ['key', entry.key],
          ['version', String(entry.version)],
          ['updated', `${entry.updatedAt} by ${entry.updatedBy}`],
          ['document', JSON.stringify(entry.document, null, 2)],
        ]),
      );
    });

  state
    .command('put <scope> <key> <json>')
    .description('Replace a document (JSON); refused when its version is no longer N')
    .requiredOption(
      '--expected-version <n>',
      'the version you replace (0: the key must not exist yet)',
      parseVersion,
    )
    .action(
      async (
        scope: string,
        key: string,
        json: string,
        options: { expectedVersion: number },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const result = await context
          .client()
          .request<{ version: number; updatedAt: string }>('PUT', path(scope, key), {
            document: parseDocument(json),
            expectedVersion: options.expectedVersion,
          });
        if (context.json) context.printJson(result);
        else context.print(`${scope} ${key} is now at version ${result.version}`);
      },
    );

  state
    .command('history <scope> <key>')
    .description("A key's kept versions, newest first")
    .option('--limit <n>', 'versions per page (default 50, at most 500)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .action(
      async (
        scope: string,
        key: string,
        options: { limit?: number; cursor?: string },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const page = await context
          .client()
          .request<{ items: StateHistoryEntry[]; nextCursor: string | null }>(
            'GET',
            path(
              scope,
              key,
              `/history${queryString({ limit: options.limit, cursor: options.cursor })}`,
            ),
          );
        if (context.json) {
          context.printJson(page);
          return;
        }
        context.print(
          formatTable(page.items, [
            { heading: 'version', value: (entry) => String(entry.version) },
            { heading: 'op', value: (entry) => entry.op },
            { heading: 'at', value: (entry) => entry.at },
            { heading: 'by', value: (entry) => entry.by },
            { heading: 'document', value: (entry) => cell(entry.document) },
          ]),
        );
        printMore(io, page.nextCursor);
      },
    );
}
