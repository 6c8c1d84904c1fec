import type { IncomingHttpHeaders } from 'node:http';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { STATE_HEADERS_KEY } from '@a2a-js/sdk/server';
import {
  agentCardHandler,
  jsonRpcHandler,
  restHandler,
  type UserBuilder,
} from '@a2a-js/sdk/server/express';
import type { Logger } from '@switchboard/logger';
import { httpStatusByCode, isSbError, SbError, toErrorBody } from '@switchboard/protocol';
import { type BearerAuthenticator, rateLimitHeaders } from '@switchboard/service';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { FastifyInstance } from 'fastify';
import type { A2aUser } from './a2a-handler.ts';
import type { CardTarget } from './cards.ts';

/** What the routes need once the service is registered (undefined before). */
export interface A2aRuntime {
  /** The request handler of a card target. */
  handlerFor: (target: CardTarget) => A2ARequestHandler;
  /** The card of a target as served (JSON, signed); throws `E_NOT_FOUND` for an unknown agent. */
  cardJson: (target: CardTarget) => Promise<Record<string, unknown>>;
  jwks: () => { keys: unknown[] };
  authenticate: BearerAuthenticator;
  log: Logger;
}

const USER = Symbol('a2a user');
type AuthenticatedRequest = Request & { [USER]?: A2aUser };

// The HTTP request behind an A2A call, found again from the headers object the SDK keeps in
// the call context, so a stream ends when its client goes away.
const requestSignals = new WeakMap<IncomingHttpHeaders, AbortSignal>();

/** The abort signal of the HTTP request behind an A2A call (aborted when the client left). */
export function requestSignalOf(context: ServerCallContext): AbortSignal | undefined {
  const headers = context.state.get(STATE_HEADERS_KEY) as IncomingHttpHeaders | undefined;
  return headers === undefined ? undefined : requestSignals.get(headers);
}

const userBuilder: UserBuilder = async (req) => {
  const user = (req as AuthenticatedRequest)[USER];
  if (user === undefined) throw new SbError('E_UNAUTHORIZED', 'no credentials');
  return user;
};

// 401 with a Bearer challenge, 429 with Retry-After and RateLimit-*, as problem+json.
function refuse(res: Response, error: unknown): void {
  const status = isSbError(error) ? httpStatusByCode[error.code] : 500;
  if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="switchboard"');
  if (isSbError(error)) res.set(rateLimitHeaders(error));
  const body = toErrorBody(error);
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: body.code, status, detail: body.message, ...body });
}

/**
 * The A2A endpoints, served by the SDK's Express handlers inside this service's Fastify server:
 * the orchestrator's card at `/.well-known/agent-card.json` with `/jsonrpc` and `/rest`, each
 * published agent's under `/agents/<agentId>/`, and the JWKS at `/.well-known/jwks.json`. Both
 * bindings take v1.0 and (by `A2A-Version`) v0.3 clients. Calls need a bearer API key or JWT.
 */
export function registerA2aRoutes(http: FastifyInstance, runtime: () => A2aRuntime | undefined) {
  const app = express();
  app.disable('x-powered-by');
  const current = (): A2aRuntime => {
    const value = runtime();
    if (value === undefined) throw new SbError('E_UNAVAILABLE', 'the A2A peer is starting');
    return value;
  };

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = await current().authenticate(req.headers.authorization, { ip: req.ip });
      res.set(rateLimitHeaders(caller.rateLimit));
      const user: A2aUser = { isAuthenticated: true, userName: caller.principal.id, caller };
      (req as AuthenticatedRequest)[USER] = user;
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      requestSignals.set(req.headers, controller.signal);
      next();
    } catch (error) {
      if (!isSbError(error)) current().log.error({ err: error }, 'A2A authentication failed');
      refuse(res, error);
    }
  };

  const endpointsFor = (target: CardTarget): Router => {
    const router = express.Router();
    const card = agentCardHandler({
      agentCardProvider: async () => (await current().cardJson(target)) as never,
      cache: { maxAge: 60 },
      legacyCompat: { enabled: true },
    });
    router.use('/.well-known/agent-card.json', card);
    const requestHandler = current().handlerFor(target);
    router.use(
      '/jsonrpc',
      authenticate,
      jsonRpcHandler({ requestHandler, userBuilder, legacyCompat: { enabled: true } }),
    );
    router.use(
      '/rest',
      authenticate,
      restHandler({ requestHandler, userBuilder, legacyCompat: { enabled: true } }),
    );
    return router;
  };

  app.get('/.well-known/jwks.json', (_req, res) => {
    try {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(current().jwks());
    } catch (error) {
      refuse(res, error);
    }
  });

  let orchestrator: Router | undefined;
  app.use((req, res, next) => {
    if (req.path.startsWith('/agents/')) return next();
    try {
      orchestrator ??= endpointsFor({ kind: 'orchestrator' });
    } catch (error) {
      return refuse(res, error);
    }
    orchestrator(req, res, next);
  });

  // One router per agent, made when first asked for (bounded: dropped and made again).
  const agents = new Map<string, Router>();
  app.use('/agents/:agentId', async (req: Request<{ agentId: string }>, res, next) => {
    const agentId = req.params.agentId;
    try {
      // Only a published agent has endpoints; the card read also fails fast for others.
      await current().cardJson({ kind: 'agent', agentId });
      let router = agents.get(agentId);
      if (router === undefined) {
        if (agents.size >= 10_000) agents.clear();
        router = endpointsFor({ kind: 'agent', agentId });
        agents.set(agentId, router);
      }
      router(req, res, next);
    } catch (error) {
      refuse(res, error);
    }
  });

  app.use((_req: Request, res: Response) => {
    refuse(res, new SbError('E_NOT_FOUND', 'no A2A endpoint here'));
  });

  // Express reads the bodies itself: this scope leaves them unread.
  void http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const serve = async (
      request: { raw: import('node:http').IncomingMessage },
      reply: {
        hijack(): void;
        raw: import('node:http').ServerResponse;
      },
    ) => {
      reply.hijack();
      app(request.raw as Request, reply.raw as Response);
    };
    for (const url of ['/.well-known/*', '/jsonrpc', '/rest', '/rest/*', '/agents/*']) {
      scope.all(url, serve);
    }
  });
}
