import type { DeliveredMessage, DeliveryRecord, MessageRecord } from '@switchboard/protocol';
import type { Command } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { cell, formatRecord, formatTable } from '../table.ts';
import { describeTarget } from './message-target.ts';
import { parsePositiveInt, printMore } from './options.ts';

/** Who sent a message: the agent, or the principal of an operator. */
export const senderOf = (message: DeliveredMessage) => message.from ?? message.sentBy;

const headersOf = (message: DeliveredMessage) =>
  cell(Object.entries(message.headers).map(([key, value]) => `${key}=${value}`));

/** The `key: value` lines of a message, its payload last and indented as JSON. */
export function messageLines(message: DeliveredMessage): Array<[string, string]> {
  return [
    ['id', message.id],
    ['from', senderOf(message)],
    ['to', describeTarget(message.to)],
    ['priority', String(message.priority)],
    ['headers', headersOf(message)],
    ['conversation', cell(message.conversationId)],
    ['correlation', cell(message.correlationId)],
    ['reply to', cell(message.replyTo)],
    ['accepted', message.acceptedAt],
    ['expires', message.expiresAt],
    ['payload', JSON.stringify(message.payload, null, 2)],
  ];
}

interface HistoryOptions {
  agent?: string;
  topic?: string;
  conversation?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/** `switchboard messages ls | show`. */
export function registerMessageCommands(program: Command, io: CliIo): void {
  const messages = program
    .command('messages')
    .description('The message history: what was sent, to whom, and how delivery went');

  messages
    .command('ls')
    .description('Search messages, newest first')
    .option('--agent <id>', 'messages this agent sent or was sent')
    .option('--topic <pattern>', 'topic messages matching a topic or pattern (jobs.*, jobs.>)')
    .option('--conversation <id>', 'messages of one conversation')
    .option('--since <time>', 'accepted at or after this ISO 8601 time (UTC, ...Z)')
    .option('--until <time>', 'accepted before this ISO 8601 time')
    .option('--limit <n>', 'messages per page (default 50, at most 500)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .action(async (options: HistoryOptions, command: Command) => {
      const context = contextOf(command, io);
      const page = await context
        .client()
        .request<{ items: MessageRecord[]; nextCursor: string | null }>(
          'GET',
          `/v1/messages${queryString({ ...options })}`,
        );
      if (context.json) {
        context.printJson(page);
        return;
      }
      context.print(
        formatTable(page.items, [
          { heading: 'id', value: (message) => message.id },
          { heading: 'accepted', value: (message) => message.acceptedAt },
          { heading: 'from', value: senderOf },
          { heading: 'to', value: (message) => describeTarget(message.to) },
          { heading: 'recipients', value: (message) => String(message.recipients) },
          { heading: 'payload', value: (message) => cell(message.payload) },
        ]),
      );
      printMore(io, page.nextCursor);
    });

  messages
    .command('show <id>')
    .description('One message and the delivery to each recipient')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const message = await context
        .client()
        .request<MessageRecord & { deliveries: DeliveryRecord[] }>(
          'GET',
          `/v1/messages/${encodeURIComponent(id)}`,
        );
      if (context.json) {
        context.printJson(message);
        return;
      }
      const lines = messageLines(message);
      lines.splice(2, 0, ['sent by', message.sentBy]);
      lines.splice(lines.length - 1, 0, ['recipients', String(message.recipients)]);
      context.print(formatRecord(lines));
      if (message.deliveries.length === 0) return;
      context.print('');
      context.print(
        formatTable(message.deliveries, [
          { heading: 'delivery', value: (delivery) => delivery.id },
          { heading: 'agent', value: (delivery) => delivery.agentId },
          { heading: 'status', value: (delivery) => delivery.status },
          { heading: 'attempts', value: (delivery) => String(delivery.attempts) },
          { heading: 'next attempt', value: (delivery) => cell(delivery.nextAttemptAt) },
          { heading: 'acked', value: (delivery) => cell(delivery.ackedAt) },
          {
            heading: 'last error',
            value: (delivery) =>
              delivery.lastError === null
                ? '-'
                : `${delivery.lastError.code}: ${delivery.lastError.message}`,
          },
        ]),
      );
    });
}
