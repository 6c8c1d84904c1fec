import { z } from 'zod';
import { EventStream } from '../event-stream.ts';
import { problemResponses } from '../problem-responses.ts';
import { principalOf, type RouteContext, type ZodScope } from '../route-context.ts';
import type { EventStreamSettings } from '../settings.ts';
import { StatsSnapshotSchema } from '../stats.ts';

/**
 * `GET /v1/stats`: the stats snapshots of the last `gateway.overview.windowMs`, for the
 * console's overview charts, and `GET /v1/events`: the operator live channel (Server-Sent Events). Streams open here are kept
 * in `streams` so that the gateway ends them when it stops (an open response would hold
 * `close()` forever).
 */
export function registerEventRoutes(
  scope: ZodScope,
  context: RouteContext & {
    settings: () => EventStreamSettings;
    streams: Set<EventStream>;
  },
): void {
  scope.get(
    '/events',
    {
      config: { operatorScope: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'Follow events and stats (Server-Sent Events)',
        description: [
          'Every event of the mesh from the moment of the request: `id` is its stream sequence,',
          '`event` its subject after `<ns>.v1.evt.` (`agent.connected`), `data` its JSON payload.',
          'A `stats` event (no id) comes at once and then every `gateway.events.statsIntervalMs`,',
          "with each service's figures or the error that kept it out. A comment line every",
          '`gateway.events.heartbeatIntervalMs` keeps proxies from closing the stream.',
          '`Last-Event-ID` is not honoured: a reconnecting client gets new events only.',
        ].join(' '),
        response: {
          200: {
            description: 'An endless text/event-stream',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const runtime = context.runtime();
      const stream = new EventStream({
        bus: runtime.bus,
        principal: principalOf(request),
        settings: context.settings,
        response: reply.raw,
        log: request.log,
        onClose: (closed) => context.streams.delete(closed),
      });
      await stream.subscribe();
      context.streams.add(stream);
      reply.hijack();
      stream.begin();
    },
  );

  scope.get(
    '/stats',
    {
      config: { operatorScope: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'The stats of the last minutes (the overview charts)',
        description:
          "Each gateway samples every service's stats every `gateway.overview.sampleIntervalMs` and keeps `gateway.overview.windowMs` of them (15 minutes by default), oldest first; a gateway that started recently has less. `since` returns only newer samples, so a chart can catch up after a gap.",
        querystring: z.strictObject({
          since: z.iso.datetime().optional().describe('Only samples taken after this time'),
        }),
        response: {
          200: z.strictObject({ items: z.array(StatsSnapshotSchema) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const since = request.query.since;
      return {
        items: context
          .runtime()
          .statsHistory.snapshots(since === undefined ? undefined : new Date(since)),
      };
    },
  );
}
