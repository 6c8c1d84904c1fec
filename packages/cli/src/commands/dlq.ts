import type { DeadLetter } from '@switchboard/protocol';
import type { Command } from 'commander';
import { CliError, queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { formatRecord, formatTable } from '../table.ts';
import { describeTarget } from './message-target.ts';
import { messageLines, senderOf } from './messages.ts';
import { parsePositiveInt, printMore } from './options.ts';

const errorOf = (letter: DeadLetter) =>
  letter.lastError === null ? '-' : `${letter.lastError.code}: ${letter.lastError.message}`;

/** The body of a replay or purge: the ids given, or every dead letter of `--agent`. */
export function selectionOf(
  ids: readonly string[],
  agent: string | undefined,
): { ids: string[] } | { agentId: string } {
  if (ids.length > 0 && agent !== undefined) {
    throw new CliError('E_VALIDATION', 'give dead letter ids or --agent, not both');
  }
  if (agent !== undefined) return { agentId: agent };
  if (ids.length === 0) {
    throw new CliError(
      'E_VALIDATION',
      'name the dead letters: their ids, or --agent <id> for all of one recipient',
    );
  }
  return { ids: [...ids] };
}

/** `switchboard dlq ls | show | replay | purge`. */
export function registerDlqCommands(program: Command, io: CliIo): void {
  const dlq = program
    .command('dlq')
    .description(
      'Dead letters: deliveries that ran out of attempts; inspect, replay or purge them',
    );

  dlq
    .command('ls')
    .description('List dead letters, newest first')
    .option('--agent <id>', "only this recipient's")
    .option('--limit <n>', 'dead letters per page (default 50, at most 500)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .action(
      async (options: { agent?: string; limit?: number; cursor?: string }, command: Command) => {
        const context = contextOf(command, io);
        const page = await context
          .client()
          .request<{ items: DeadLetter[]; nextCursor: string | null }>(
            'GET',
            `/v1/dead-letters${queryString({ ...options })}`,
          );
        if (context.json) {
          context.printJson(page);
          return;
        }
        context.print(
          formatTable(page.items, [
            { heading: 'id', value: (letter) => letter.id },
            { heading: 'agent', value: (letter) => letter.agentId },
            { heading: 'dead at', value: (letter) => letter.deadAt },
            { heading: 'attempts', value: (letter) => String(letter.attempts) },
            { heading: 'reason', value: (letter) => letter.reason },
            { heading: 'message', value: (letter) => letter.message.id },
            { heading: 'from', value: (letter) => senderOf(letter.message) },
            { heading: 'to', value: (letter) => describeTarget(letter.message.to) },
            { heading: 'last error', value: errorOf },
          ]),
        );
        printMore(io, page.nextCursor);
      },
    );

  dlq
    .command('show <id>')
    .description('One dead letter with its message')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const letter = await context
        .client()
        .request<DeadLetter>('GET', `/v1/dead-letters/${encodeURIComponent(id)}`);
      if (context.json) {
        context.printJson(letter);
        return;
      }
      context.print(
        formatRecord([
          ['id', letter.id],
          ['agent', letter.agentId],
          ['dead at', letter.deadAt],
          ['attempts', String(letter.attempts)],
          ['reason', letter.reason],
          ['last error', errorOf(letter)],
          // The message's own lines, its id named as the message's.
          ['message', letter.message.id],
          ...messageLines(letter.message).slice(1),
        ]),
      );
    });

  dlq
    .command('replay [ids...]')
    .description('Queue dead letters again as fresh deliveries (the same message id)')
    .option('--agent <id>', 'every dead letter of this recipient')
    .action(async (ids: string[], options: { agent?: string }, command: Command) => {
      const context = contextOf(command, io);
      const result = await context
        .client()
        .request<{ replayed: number }>(
          'POST',
          '/v1/dead-letters/replay',
          selectionOf(ids, options.agent),
        );
      if (context.json) context.printJson(result);
      else
        context.print(`replayed ${result.replayed} dead letter${result.replayed === 1 ? '' : 's'}`);
    });

  dlq
    .command('purge [ids...]')
    .description('Delete dead letters for good')
    .option('--agent <id>', 'every dead letter of this recipient (needs --yes)')
    .option('--yes', 'confirm deleting all of an --agent')
    .action(async (ids: string[], options: { agent?: string; yes?: boolean }, command: Command) => {
      const context = contextOf(command, io);
      const selection = selectionOf(ids, options.agent);
      if ('agentId' in selection && options.yes !== true) {
        throw new CliError(
          'E_VALIDATION',
          `this deletes every dead letter of ${selection.agentId} for good; add --yes to confirm`,
        );
      }
      const result = await context
        .client()
        .request<{ purged: number }>('POST', '/v1/dead-letters/purge', selection);
      if (context.json) context.printJson(result);
      else context.print(`purged ${result.purged} dead letter${result.purged === 1 ? '' : 's'}`);
    });
}
