import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';
import { readServerSentEvents, type ServerSentEvent } from '../sse.ts';
import { parsePositiveInt } from './options.ts';

type ServiceStats = { figures?: Record<string, number>; error?: { code: string } };

/** One line per event for people: `stats` condensed, others as `id event data`. */
export function describeEvent(event: ServerSentEvent): string {
  if (event.event === 'stats') {
    const { services } = JSON.parse(event.data) as { services: Record<string, ServiceStats> };
    const parts = Object.entries(services).map(([service, stats]) =>
      stats.error !== undefined
        ? `${service} ${stats.error.code}`
        : `${service} ${Object.entries(stats.figures ?? {})
            .map(([name, value]) => `${name}=${value}`)
            .join(' ')}`,
    );
    return `stats  ${parts.join(' | ')}`;
  }
  return `${event.id ?? '-'}  ${event.event}  ${event.data}`;
}

/** `switchboard events`: follows the operator live channel until interrupted. */
export function registerEventCommands(program: Command, io: CliIo): void {
  program
    .command('events')
    .description('Follow events and stats as they happen (Ctrl-C stops)')
    .option('--count <n>', 'stop after n events', parsePositiveInt)
    .option('--no-stats', 'leave out the periodic stats events')
    .action(async (options, command: Command) => {
      const context = contextOf(command, io);
      const { count, stats } = options as { count?: number; stats: boolean };
      const controller = new AbortController();
      const signal =
        io.signal === undefined
          ? controller.signal
          : AbortSignal.any([io.signal, controller.signal]);
      let seen = 0;
      try {
        const body = await context.client().stream('/v1/events', signal);
        for await (const event of readServerSentEvents(
          body as unknown as AsyncIterable<Uint8Array>,
        )) {
          if (!stats && event.event === 'stats') continue;
          if (context.json) {
            io.stdout(
              `${JSON.stringify({ id: event.id ?? null, event: event.event, data: JSON.parse(event.data) })}\n`,
            );
          } else {
            context.print(describeEvent(event));
          }
          seen += 1;
          if (count !== undefined && seen >= count) break;
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      } finally {
        controller.abort();
      }
    });
}
