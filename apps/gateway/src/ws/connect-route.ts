import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { Principal } from '@switchboard/authz';
import type { Logger } from '@switchboard/logger';
import { isSbError, SbError } from '@switchboard/protocol';
import type { SecurityEvents } from '@switchboard/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkOrigin, extractBearerToken, WS_SUBPROTOCOL } from '../auth/credentials.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import { problem } from '../http/problem.ts';
import { reportRefusal } from '../security/refusal-events.ts';
import type { SecurityMonitor } from '../security/security-monitor.ts';
import {
  AgentConnection,
  type ConnectionHandlers,
  type ConnectionSettings,
} from './agent-connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';

/** What the connect route needs once the gateway has started. */
export interface ConnectRuntime {
  resolve(token: string): Promise<Principal>;
  limiter: RateLimiter;
  security: SecurityEvents;
  monitor: SecurityMonitor;
  handlers: ConnectionHandlers;
  registry: ConnectionRegistry;
  gatewayId: string;
  log: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * `GET /v1/connect`: the agents' WebSocket. Credentials are checked before the upgrade (a
 * request without valid ones gets 401/403 and is never upgraded); the server speaks only the
 * `sb.v1` subprotocol; frames above `maxFrameBytes` close the socket (1009).
 */
export function registerConnectRoute(
  http: FastifyInstance,
  options: {
    maxFrameBytes: number;
    permessageDeflate: { enabled: boolean; thresholdBytes: number; level: number };
    allowedOrigins: () => readonly string[];
    settings: () => ConnectionSettings;
    /** Undefined until the gateway has started. */
    runtime: () => ConnectRuntime | undefined;
  },
): void {
  // Before the websocket plugin's own preClose (which closes sockets without a code): agents
  // are told the gateway is going away (1001) and their disconnection is recorded.
  http.addHook('preClose', (done) => {
    for (const connection of options.runtime()?.registry.connections() ?? []) {
      connection.close('gateway_stopped');
    }
    done();
  });
  void http.register(async (scope) => {
    await scope.register(websocket, {
      options: {
        maxPayload: options.maxFrameBytes,
        perMessageDeflate: options.permessageDeflate.enabled && {
          threshold: options.permessageDeflate.thresholdBytes,
          zlibDeflateOptions: { level: options.permessageDeflate.level },
          // Without context takeover each message is compressed on its own: a little less
          // compression for no per-connection window kept between messages (many agents).
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
        },
        // Echo only sb.v1: a browser's sb.bearer.<token> must never come back in a header.
        handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
      },
    });

    scope.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
      const runtime = options.runtime();
      const path = '/v1/connect';
      let principal: Principal | undefined;
      try {
        if (runtime === undefined) {
          throw new SbError('E_UNAVAILABLE', 'the gateway is starting; try again shortly');
        }
        // Before anything else costs work: a client guessing keys is throttled by address.
        await runtime.limiter.checkIp(request.ip, path);
        checkOrigin(request.headers.origin, options.allowedOrigins());
        const token = extractBearerToken({
          url: request.url,
          authorization: request.headers.authorization,
          protocols: request.headers['sec-websocket-protocol'],
        });
        principal = await runtime.resolve(token);
        await runtime.limiter.checkCredential(principal, { ip: request.ip, path });
        runtime.monitor.observeUse(principal, request.ip);
        request.principal = principal;
      } catch (error) {
        if (!isSbError(error)) throw error;
        if (runtime !== undefined) {
          reportRefusal(runtime.security, error, { ip: request.ip, path, principal });
        }
        request.log.info({ code: error.code }, `refused an agent connection: ${error.message}`);
        return problem(reply, error);
      }
    });

    scope.get('/v1/connect', { websocket: true }, (socket, request) => {
      // preValidation ran: the runtime exists and the request carries its principal.
      const runtime = options.runtime() as ConnectRuntime;
      const principal = request.principal as Principal;
      const connectionId = randomUUID();
      const connection = new AgentConnection(socket, {
        connectionId,
        gatewayId: runtime.gatewayId,
        principal,
        settings: options.settings,
        handlers: runtime.handlers,
        log: runtime.log.child({ connectionId, principal: principal.id }),
      });
      runtime.registry.add(connection);
      connection.start();
    });
  });
}
