import { type Command, InvalidArgumentError } from 'commander';
import { type CliIo, contextOf } from '../context.ts';

/** The services that store user payloads, in the order the job walks them. */
const PAYLOAD_SERVICES = ['router', 'state', 'tasks', 'tools', 'a2a'] as const;

/** One step of a service's re-encryption job, as the API answers it. */
interface ReencryptStep {
  service: string;
  activeKeyId: string | null;
  reencrypted: number;
  remaining: number;
  done: boolean;
}

function parseService(value: string, previous: string[] | undefined): string[] {
  if (!(PAYLOAD_SERVICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${PAYLOAD_SERVICES.join(', ')}`);
  }
  return [...(previous ?? []), value];
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
      const totals: Array<{ service: string; activeKeyId: string | null; reencrypted: number }> =
        [];
      for (const service of options.service ?? PAYLOAD_SERVICES) {
        let reencrypted = 0;
        let step: ReencryptStep;
        do {
          step = await client.request<ReencryptStep>('POST', `/v1/payloads/${service}/reencrypt`);
          reencrypted += step.reencrypted;
          if (!context.json) {
            context.print(
              `${service}: ${reencrypted} moved to ${step.activeKeyId ?? 'plaintext'}, ${step.remaining} remaining`,
            );
          }
          // A step that moved nothing while some remain: those rows do not decode (the step
          // would have failed) or are locked by writers right now; try again later.
        } while (!step.done && step.reencrypted > 0);
        if (!step.done) {
          context.print(
            `${service}: ${step.remaining} payloads are being written right now; run this again later`,
          );
        }
        totals.push({ service, activeKeyId: step.activeKeyId, reencrypted });
      }
      if (context.json) context.printJson({ items: totals });
    });
}
