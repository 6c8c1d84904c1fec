import type { IncomingMessage } from 'node:http';
import { type NodeMcpRequestHandler, toNodeHandler } from '@modelcontextprotocol/node';
import { type AuthInfo, createMcpHandler, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { Logger } from '@switchboard/logger';
import { httpStatusByCode, isSbError, SbError } from '@switchboard/protocol';
import {
  type BearerAuthenticator,
  type BearerCaller,
  type Caller,
  rateLimitHeaders,
} from '@switchboard/service';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jsonRpcErrorOf } from './mcp-errors.ts';

/** What the route needs once the service is registered (undefined before). */
export interface McpRuntime {
  /** The SDK's handler adapted to Node's request and response. */
  serve: NodeMcpRequestHandler;
  authenticate: BearerAuthenticator;
  log: Logger;
  /** Named in the `WWW-Authenticate` challenge when set. */
  publicUrl: () => string | undefined;
}

const CALLER_KEY = 'switchboard/caller';
const GROUP_KEY = 'switchboard/group';

/** The caller the route authenticated, as the server factory reads it back from `authInfo`. */
export function callerOfAuthInfo(authInfo: AuthInfo | undefined): Caller {
  const caller = authInfo?.extra?.[CALLER_KEY] as Caller | undefined;
  // The route authenticates every request before the handler sees it.
  if (caller === undefined) throw new SbError('E_UNAUTHORIZED', 'the MCP request has no caller');
  return caller;
}

/** The tool group the request's URL names (`/mcp?group=<name>`), if any. */
export function groupOfAuthInfo(authInfo: AuthInfo | undefined): string | undefined {
  const group = authInfo?.extra?.[GROUP_KEY];
  return typeof group === 'string' ? group : undefined;
}

/**
 * Answers a refused request before MCP sees it: 401 with a Bearer challenge, 429 with
 * `Retry-After` and `RateLimit-*`, 503 when the gateway could not resolve the token.
 */
function refuse(reply: FastifyReply, error: unknown, publicUrl: string | undefined): FastifyReply {
  const status = isSbError(error) ? httpStatusByCode[error.code] : 500;
  if (status === 401) {
    const resource = publicUrl === undefined ? '' : `, resource="${new URL('/mcp', publicUrl)}"`;
    void reply.header('www-authenticate', `Bearer realm="switchboard"${resource}`);
  }
  if (isSbError(error)) void reply.headers(rateLimitHeaders(error));
  return reply
    .code(status)
    .type('application/json')
    .send({ jsonrpc: '2.0', id: null, error: jsonRpcErrorOf(error) });
}

/**
 * Serves MCP (Streamable HTTP) at `/mcp` with the official SDK's `createMcpHandler`: revision
 * 2026-07-28 per request, and 2025-era clients statelessly (no session id). Every request is
 * authenticated and rate-limited first.
 */
export function registerMcpRoute(http: FastifyInstance, runtime: () => McpRuntime | undefined) {
  http.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    handler: async (request, reply) => {
      const current = runtime();
      if (current === undefined) {
        return refuse(reply, new SbError('E_UNAVAILABLE', 'the registry is starting'), undefined);
      }
      let caller: BearerCaller;
      try {
        caller = await current.authenticate(request.headers.authorization, { ip: request.ip });
      } catch (error) {
        if (!isSbError(error)) current.log.error({ err: error }, 'MCP authentication failed');
        return refuse(reply, error, current.publicUrl());
      }
      const raw = request.raw as IncomingMessage & { auth?: AuthInfo };
      raw.auth = {
        token: '',
        clientId: caller.principal.id,
        scopes: [],
        extra: { [CALLER_KEY]: caller, [GROUP_KEY]: (request.query as { group?: unknown }).group },
      };
      for (const [name, value] of Object.entries(rateLimitHeaders(caller.rateLimit))) {
        reply.raw.setHeader(name, value);
      }
      reply.hijack();
      await current.serve(raw, reply.raw, request.body);
    },
  });
}

/**
 * The SDK's handler over a per-request server factory, and its Node adapter. Legacy serving is
 * `stateless`: a 2025-era client gets no session id, so any replica answers it.
 */
export function createMcpEndpoint(
  factory: (
    caller: Caller,
    group: string | undefined,
  ) => ReturnType<Parameters<typeof createMcpHandler>[0]>,
  log: Logger,
): { handler: McpHttpHandler; serve: NodeMcpRequestHandler } {
  const handler = createMcpHandler(
    (context) => factory(callerOfAuthInfo(context.authInfo), groupOfAuthInfo(context.authInfo)),
    {
      legacy: 'stateless',
      onerror: (err) => log.debug({ err }, 'an MCP request was refused'),
    },
  );
  const serve = toNodeHandler(handler, {
    onerror: (err) => log.error({ err }, 'the MCP handler failed'),
  });
  return { handler, serve };
}
