import { type Command, InvalidArgumentError } from 'commander';
import type { OperatorClient } from '../client.ts';
import { type CliIo, type CommandContext, contextOf } from '../context.ts';

/** The services that store user payloads, in the order the job walks them. */
const PAYLOAD_SERVICES = ['router', 'state', 'tasks', 'tools', 'a2a'] as const;

/** One step of a service's re-encryption walk, as the API answers it. */
interface ReencryptStep {
  service: string;
  activeKeyId: string | null;
  reencrypted: number;
  /** Present while the walk goes on. */
  cursor?: string;
  remaining: number | null;
  done: boolean;
}

function parseService(value: string, previous: string[] | undefined): string[] {
  if (!(PAYLOAD_SERVICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${PAYLOAD_SERVICES.join(', ')}`);
  }
  return [...(previous ?? []), value];
}

/**
 * Walks one service's payloads to the active key, step by step; walks again while a walk moved
 * something but left rows behind (they were being written as it passed).
 */
async function reencryptService(context: CommandContext, client: OperatorClient, service: string) {
  const step = (cursor: string | null) =>
    client.request<ReencryptStep>(
      'POST',
      `/v1/payloads/${service}/reencrypt${cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`}`,
    );
  const say = (text: string) => {
    if (!context.json) context.print(`${service}: ${text}`);
  };
  let moved = 0;
  let movedThisWalk = 0;
  let cursor: string | null = null;
  for (;;) {
    const answer = await step(cursor);
    moved += answer.reencrypted;
    movedThisWalk += answer.reencrypted;
    const target = answer.activeKeyId ?? 'plaintext';
    if (answer.cursor !== undefined) {
      say(`${moved} moved to ${target} so far`);
      cursor = answer.cursor;
    } else if (answer.done || movedThisWalk === 0) {
      say(`${moved} moved to ${target}, ${answer.remaining} remaining`);
      if (!answer.done) say('those are being written right now; run this again later');
      return { service, activeKeyId: answer.activeKeyId, reencrypted: moved, done: answer.done };
    } else {
      movedThisWalk = 0;
      cursor = null;
    }
  }
}

/** `switchboard payloads reencrypt`. */
export function registerPayloadCommands(program: Command, io: CliIo): void {
  const payloads = program
    .command('payloads')
    .description('Stored payloads: move them to the active encryption key');

  payloads
    .command('reencrypt')
    .description(
      'Move every stored payload to the active key, step by step until none remains; safe to stop and run again',
    )
    .option(
      '--service <name>',
      `only this service (repeatable): ${PAYLOAD_SERVICES.join(', ')}`,
      parseService,
    )
    .action(async (options: { service?: string[] }, command: Command) => {
      const context = contextOf(command, io);
      const client = context.client();
      const items = [];
      for (const service of options.service ?? PAYLOAD_SERVICES) {
        items.push(await reencryptService(context, client, service));
      }
      if (context.json) context.printJson({ items });
    });
}
