import {
  AnycastStrategies,
  type AnycastStrategy,
  MAX_PRIORITY,
  MIN_PRIORITY,
  type SendResult,
} from '@switchboard/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliIo, contextOf } from '../context.ts';
import { describeTarget, parseTarget } from './message-target.ts';
import { collectPair, parseJson, parsePositiveInt, recordOf } from './options.ts';

/** A priority from the lowest to the highest the router knows. */
export function parsePriority(value: string): number {
  const parsed = Number(value);
  if (
    value.trim() === '' ||
    !Number.isInteger(parsed) ||
    parsed < MIN_PRIORITY ||
    parsed > MAX_PRIORITY
  ) {
    throw new InvalidArgumentError(
      `use a whole number from ${MIN_PRIORITY} (lowest) to ${MAX_PRIORITY} (highest)`,
    );
  }
  return parsed;
}

function parseStrategy(value: string): AnycastStrategy {
  const strategy = AnycastStrategies.find((known) => known === value);
  if (strategy === undefined) throw new InvalidArgumentError(`use ${AnycastStrategies.join(', ')}`);
  return strategy;
}

interface SendOptions {
  capability?: string;
  label?: string[];
  strategy?: AnycastStrategy;
  priority?: number;
  ttl?: number;
  header?: string[];
  conversation?: string;
  id?: string;
}

/** `switchboard send <target> <json>`: one message, as the operator. */
export function registerSendCommand(program: Command, io: CliIo): void {
  program
    .command('send <target> <json>')
    .description(
      'Send a message (JSON payload) to agent:<id>, topic:<topic>, broadcast or anycast:<capability>',
    )
    .option('--capability <name>', 'broadcast: only agents with this capability')
    .option(
      '--label <key=value>',
      'broadcast, anycast: only agents with this label; repeatable',
      collectPair,
    )
    .option('--strategy <strategy>', `anycast: ${AnycastStrategies.join(', ')}`, parseStrategy)
    .option(
      '--priority <n>',
      `${MIN_PRIORITY} (lowest) to ${MAX_PRIORITY} (highest)`,
      parsePriority,
    )
    .option('--ttl <ms>', 'dropped when not delivered within this many ms', parsePositiveInt)
    .option(
      '--header <key=value>',
      'a message header (filters match on them); repeatable',
      collectPair,
    )
    .option('--conversation <id>', 'the conversation the message belongs to')
    .option('--id <uuid>', 'your message id: sending the same id again stores it once')
    .action(async (target: string, json: string, options: SendOptions, command: Command) => {
      const context = contextOf(command, io);
      const to = parseTarget(target, {
        capability: options.capability,
        labels: recordOf(options.label),
        strategy: options.strategy,
      });
      const result = await context.client().request<SendResult>('POST', '/v1/messages', {
        id: options.id,
        to,
        payload: parseJson(json, 'payload'),
        headers: recordOf(options.header),
        priority: options.priority,
        ttlMs: options.ttl,
        conversationId: options.conversation,
      });
      if (context.json) {
        context.printJson(result);
        return;
      }
      const recipients = `${result.recipients} recipient${result.recipients === 1 ? '' : 's'}`;
      context.print(
        result.duplicate
          ? `${result.messageId} was accepted before (${recipients}); nothing new was stored`
          : `accepted ${result.messageId} for ${describeTarget(to)} (${recipients})`,
      );
    });
}
