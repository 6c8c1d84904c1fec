import type { ServerResponse } from 'node:http';
import {
  AuthChangedEventSchema,
  authorize,
  encodePrincipal,
  type Principal,
} from '@switchboard/authz';
import type { Bus, BusEvent, BusSubscription } from '@switchboard/bus';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { EventStreamSettings } from './settings.ts';
import { eventNameOf, formatSseComment, formatSseEvent } from './sse.ts';
import { gatherStats } from './stats.ts';

const AnyEventSchema = z.unknown();

/**
 * Whether `principal` may see `event`. Every event needs `events:read`, which the route already
 * checked; most carry ids only. Security events name principals and client addresses: they need
 * `security:read` too. When another kind carries more (a topic, a task type), decide here from
 * the subject and the principal's grants, so that each client sees only its share.
 */
function isVisible(
  principal: Principal,
  event: BusEvent<unknown>,
  securityPrefix: string,
): boolean {
  if (!event.subject.startsWith(securityPrefix)) return true;
  return authorize(principal, { kind: 'operator', scope: 'security:read' }).allowed;
}

/**
 * True when `event` revokes the key `principal` authenticated with, or changes the grants of one
 * of its roles (the client reconnects and is resolved afresh).
 */
function revokes(principal: Principal, event: BusEvent<unknown>, authChanged: string): boolean {
  if (event.subject !== authChanged) return false;
  const parsed = AuthChangedEventSchema.safeParse(event.payload);
  if (!parsed.success) return false;
  if (parsed.data.change === 'role_changed') return principal.roles.includes(parsed.data.role);
  return (
    parsed.data.change === 'revoked' &&
    parsed.data.keyId === principal.credential.id &&
    principal.credential.type !== 'jwt'
  );
}

/**
 * One client of `GET /v1/events`: every event of the namespace from the moment it connected
 * (`id` = stream sequence, `event` = subject after `<ns>.v1.evt.`, `data` = the payload), a
 * `stats` event at once and then every `statsIntervalMs`, and a comment every
 * `heartbeatIntervalMs`. A client that reads too slowly, or whose key is revoked, is cut off.
 */
export class EventStream {
  private subscription: BusSubscription | undefined;
  private readonly pending: string[] = [];
  private started = false;
  private closed = false;
  private statsTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly options: {
      bus: Bus;
      principal: Principal;
      settings: () => EventStreamSettings;
      response: ServerResponse;
      log: FastifyBaseLogger;
      /** Called once the stream has ended, whoever ended it. */
      onClose: (stream: EventStream) => void;
    },
  ) {}

  /** Creates the consumer; fails (before anything is written) when the bus cannot serve it. */
  async subscribe(): Promise<void> {
    const { bus } = this.options;
    const authChanged = bus.subjects.event('auth', 'changed');
    // `<ns>.v1.evt.security.`: the subject of every security event starts with it.
    const securityPrefix = bus.subjects.event('security', '');
    this.subscription = await bus.consumeEvents({
      filterSubject: bus.subjects.allEvents,
      schema: AnyEventSchema,
      deliverFrom: 'new',
      handler: async (event) => {
        if (this.closed || !isVisible(this.options.principal, event, securityPrefix)) return;
        this.write(
          formatSseEvent({
            id: event.sequence,
            event: eventNameOf(event.subject, bus.subjects.allEvents),
            data: event.payload,
          }),
        );
        if (revokes(this.options.principal, event, authChanged)) {
          void this.close('the key of this stream was revoked, or a role of it changed');
        }
      },
    });
  }

  /** Sends the headers and what arrived meanwhile, then starts the timers. */
  begin(): void {
    const { response } = this.options;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses unless told not to; events must reach the client at once.
      'x-accel-buffering': 'no',
    });
    response.on('close', () => void this.close('the client went away'));
    // The client may have gone while the consumer was being created.
    if (response.destroyed) {
      void this.close('the client went away');
      return;
    }
    this.started = true;
    this.write(formatSseComment('connected'));
    for (const chunk of this.pending.splice(0)) this.write(chunk);
    void this.sendStats();
    this.scheduleHeartbeat();
  }

  /** Ends the stream (idempotent): timers, consumer, response. */
  close(reason: string): Promise<void> {
    this.stopped ??= (async () => {
      this.closed = true;
      clearTimeout(this.statsTimer);
      clearTimeout(this.heartbeatTimer);
      this.options.log.debug({ reason }, 'event stream closed');
      if (!this.options.response.writableEnded) this.options.response.end();
      this.options.onClose(this);
      await this.subscription?.stop();
    })();
    return this.stopped;
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (!this.started) {
      this.pending.push(chunk);
      return;
    }
    const { response } = this.options;
    response.write(chunk);
    const { maxBufferedBytes } = this.options.settings();
    if (response.writableLength > maxBufferedBytes) {
      this.options.log.warn(
        { bufferedBytes: response.writableLength, maxBufferedBytes },
        'an event stream client reads too slowly; closing its stream',
      );
      void this.close('the client reads too slowly');
    }
  }

  private async sendStats(): Promise<void> {
    if (this.closed) return;
    const settings = this.options.settings();
    try {
      const snapshot = await gatherStats(this.options.bus, {
        timeoutMs: settings.statsTimeoutMs,
        principal: encodePrincipal(this.options.principal),
      });
      this.write(formatSseEvent({ event: 'stats', data: snapshot }));
    } catch (err) {
      this.options.log.warn({ err }, 'could not gather stats for an event stream');
    }
    if (this.closed) return;
    this.statsTimer = setTimeout(
      () => void this.sendStats(),
      this.options.settings().statsIntervalMs,
    );
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = setTimeout(() => {
      this.write(formatSseComment('keep-alive'));
      if (!this.closed) this.scheduleHeartbeat();
    }, this.options.settings().heartbeatIntervalMs);
  }
}
