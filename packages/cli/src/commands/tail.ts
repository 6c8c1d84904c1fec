import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageRecord } from '@switchboard/protocol';
import type { Command } from 'commander';
import { CliError, type OperatorClient, queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell } from '../table.ts';
import { senderOf } from './messages.ts';
import { parsePositiveInt } from './options.ts';
import { advanceTail, type TailPosition, tailFrom } from './tail-position.ts';

type Page = { items: MessageRecord[]; nextCursor: string | null };

/** Failures worth waiting out: the next poll may well succeed. */
const passingCodes = new Set(['E_UNAVAILABLE', 'E_TIMEOUT', 'E_RATE_LIMITED']);

/** One line per message for people: time, topic, sender, payload. */
export function describeTailed(message: MessageRecord): string {
  return `${message.acceptedAt}  ${cell(message.topic)}  ${senderOf(message)}  ${JSON.stringify(message.payload)}`;
}

interface TailOptions {
  interval: number;
  limit: number;
  since?: string;
  count?: number;
}

/** Every message matching `pattern` from `since` on, newest first, walking all pages. */
async function readSince(
  client: OperatorClient,
  pattern: string,
  since: string | undefined,
  limit: number,
): Promise<MessageRecord[]> {
  const items: MessageRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request<Page>(
      'GET',
      `/v1/messages${queryString({ topic: pattern, since, limit, cursor })}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/** Where a tail without `--since` starts: after the newest message already there. */
async function startNow(client: OperatorClient, pattern: string, limit: number) {
  const newest = await client.request<Page>(
    'GET',
    `/v1/messages${queryString({ topic: pattern, limit: 1 })}`,
  );
  const last = newest.items[0];
  if (last === undefined) return tailFrom();
  // The poll from its time marks everything accepted in that moment as seen.
  return advanceTail(
    tailFrom(last.acceptedAt),
    await readSince(client, pattern, last.acceptedAt, limit),
  ).position;
}

/**
 * `switchboard tail <pattern>`: follows new topic messages by polling the history route with
 * `since` = the newest acceptedAt seen, deduplicating by id, until Ctrl-C.
 */
export function registerTailCommand(program: Command, io: CliIo): void {
  program
    .command('tail <pattern>')
    .description(
      'Follow new messages whose topic matches a pattern (jobs.*, jobs.>), one line each (Ctrl-C stops)',
    )
    .option('--interval <ms>', 'how often to look for new messages', parsePositiveInt, 1000)
    .option('--since <time>', 'start at this ISO 8601 time instead of now (UTC, ...Z)')
    .option('--count <n>', 'stop after n messages', parsePositiveInt)
    .option('--limit <n>', 'messages per request (at most 500)', parsePositiveInt, 100)
    .action(async (pattern: string, options: TailOptions, command: Command) => {
      const context = contextOf(command, io);
      const client = context.client();
      const signal = io.signal ?? new AbortController().signal;
      let printed = 0;
      let failing = false;
      try {
        let position: TailPosition =
          options.since === undefined
            ? await startNow(client, pattern, options.limit)
            : tailFrom(options.since);
        io.stderr(`following topic ${pattern} (Ctrl-C stops)\n`);
        for (;;) {
          try {
            const polled = advanceTail(
              position,
              await readSince(client, pattern, position.since, options.limit),
            );
            position = polled.position;
            failing = false;
            for (const message of polled.fresh) {
              if (context.json) io.stdout(`${JSON.stringify(message)}\n`);
              else context.print(describeTailed(message));
              printed += 1;
              if (options.count !== undefined && printed >= options.count) return;
            }
          } catch (error) {
            if (!(error instanceof CliError) || !passingCodes.has(error.code)) throw error;
            // Said once per outage, not at every poll.
            if (!failing) io.stderr(`${error.code}: ${error.message} (still trying)\n`);
            failing = true;
          }
          await sleep(options.interval, undefined, { signal });
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    });
}
