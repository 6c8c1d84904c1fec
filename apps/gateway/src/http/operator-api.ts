import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { isSbError, SbError } from '@switchboard/protocol';
import { rateLimitHeaders } from '@switchboard/service';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { reportRefusal } from '../security/refusal-events.ts';
import { SESSION_COOKIE, sessionCredentials } from './console-session.ts';
import { handleError, handleNotFound } from './error-handler.ts';
import type { EventStream } from './event-stream.ts';
import {
  authenticate,
  authorizeRoute,
  bearerCredentials,
  type CredentialSource,
} from './operator-auth.ts';
import type { OperatorRuntime } from './operator-runtime.ts';
import type { RouteContext } from './route-context.ts';
import { registerAgentRoutes } from './routes/agent-routes.ts';
import { registerConfigRoutes } from './routes/config-routes.ts';
import { registerDeadLetterRoutes } from './routes/dead-letter-routes.ts';
import { registerEventRoutes } from './routes/event-routes.ts';
import { registerKeyRoutes } from './routes/key-routes.ts';
import { registerMessageRoutes } from './routes/message-routes.ts';
import { registerPayloadRoutes } from './routes/payload-routes.ts';
import { registerPeerRoutes } from './routes/peer-routes.ts';
import { registerRoleRoutes } from './routes/role-routes.ts';
import { registerSecurityRoutes } from './routes/security-routes.ts';
import { registerSessionRoutes } from './routes/session-routes.ts';
import { registerStateRoutes } from './routes/state-routes.ts';
import { registerSubscriptionRoutes } from './routes/subscription-routes.ts';
import { registerTaskRoutes } from './routes/task-routes.ts';
import { registerToolRoutes } from './routes/tool-routes.ts';
import type { EventStreamSettings } from './settings.ts';

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/docs/openapi.json';

/** What {@link registerOperatorApi} needs. */
export interface OperatorApiOptions {
  /** Undefined until the gateway has started: requests meanwhile get `E_UNAVAILABLE`. */
  runtime: () => OperatorRuntime | undefined;
  /** `gateway.events` (live). */
  eventSettings: () => EventStreamSettings;
  /** The gateway's version, in the OpenAPI document. */
  version: string;
  /** The URL clients reach the gateway at (`gateway.publicUrl`), listed in the document. */
  publicUrl?: string | undefined;
  /**
   * Where credentials come from, first match wins. Default: `Authorization: Bearer`, then the
   * console's session cookie.
   */
  credentialSources?: readonly CredentialSource[];
}

/**
 * The operator HTTP API: `/v1/session` (the console's sign-in), `/v1/keys`, `/v1/agents`, `/v1/config`, `/v1/state`, `/v1/messages`,
 * `/v1/dead-letters`, `/v1/events`, with the OpenAPI document generated from the routes' zod
 * schemas at `/docs/openapi.json` (a UI at `/docs`).
 * Every `/v1` route needs credentials and its operator scope (`/v1/state`: the state service's
 * own grants); every error is problem+json.
 * Call at build time (fastify takes routes only before it is ready); handlers read the runtime
 * the gateway sets at start.
 */
export function registerOperatorApi(http: FastifyInstance, options: OperatorApiOptions): void {
  const streams = new Set<EventStream>();
  const context: RouteContext = {
    runtime: () => {
      const runtime = options.runtime();
      if (runtime === undefined) {
        throw new SbError('E_UNAVAILABLE', 'the gateway is starting; try again shortly');
      }
      return runtime;
    },
  };
  const sources = options.credentialSources ?? [
    bearerCredentials,
    sessionCredentials({
      sessions: () => context.runtime().sessions,
      resolveSession: (keyId) => context.runtime().resolveSession(keyId),
    }),
  ];
  // Not encapsulated (a fastify-plugin): every route reads `request.cookies`.
  void http.register(cookie);
  // Open event streams would hold the server's close() forever: end them first.
  http.addHook('preClose', async () => {
    await Promise.all([...streams].map((stream) => stream.close('the gateway is stopping')));
  });

  void http.register(async (root) => {
    const api = root.withTypeProvider<ZodTypeProvider>();
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    api.setErrorHandler(handleError);
    await api.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Switchboard operator API',
          version: options.version,
          description:
            'Every /v1 route needs credentials (`Authorization: Bearer <API key or JWT>`, or the console session cookie with its CSRF token on changes) and an operator scope; errors are application/problem+json with a stable `code`.',
        },
        servers: options.publicUrl === undefined ? [] : [{ url: options.publicUrl }],
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'An API key (`sbk_...`) or a JWT',
            },
            session: {
              type: 'apiKey',
              in: 'cookie',
              name: SESSION_COOKIE,
              description:
                'The console session from `POST /v1/session`; changes also need `X-CSRF-Token`',
            },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await api.register(swaggerUi, { routePrefix: '/docs' });
    api.get(OPENAPI_PATH, { schema: { hide: true } }, async () => api.swagger());

    await api.register(
      async (session) => registerSessionRoutes(session.withTypeProvider(), context),
      { prefix: '/v1/session' },
    );
    await api.register(
      async (v1) => {
        const scope = v1.withTypeProvider<ZodTypeProvider>();
        scope.setNotFoundHandler(handleNotFound);
        // onRequest: credentials are checked before the body is even read or validated.
        scope.addHook('onRequest', async (request, reply) => {
          const runtime = context.runtime();
          // The route's pattern, never the raw URL: paths label metrics, and callers choose URLs.
          const path = request.routeOptions.url ?? '/v1/(unknown route)';
          try {
            // A client guessing keys is throttled by address before any lookup costs work.
            await runtime.limiter.checkIp(request.ip, path);
            request.principal = await authenticate(request, sources, runtime.resolve);
            const bucket = await runtime.limiter.checkCredential(request.principal, {
              ip: request.ip,
              path,
            });
            void reply.headers(rateLimitHeaders(bucket));
            runtime.monitor.observeUse(request.principal, request.ip);
            // An unknown route gets its 404 (from the not-found handler), not a scope denial.
            if (!request.is404) {
              authorizeRoute(request.principal, request.routeOptions.config.operatorScope);
            }
          } catch (error) {
            if (isSbError(error)) {
              reportRefusal(runtime.security, error, {
                ip: request.ip,
                path,
                principal: request.principal,
              });
            }
            throw error;
          }
        });
        registerKeyRoutes(scope, context);
        registerRoleRoutes(scope, context);
        registerAgentRoutes(scope, context);
        registerConfigRoutes(scope, context);
        registerStateRoutes(scope, context);
        registerMessageRoutes(scope, context);
        registerSubscriptionRoutes(scope, context);
        registerDeadLetterRoutes(scope, context);
        // Tasks.
        registerTaskRoutes(scope, context);
        // Tools.
        registerToolRoutes(scope, context);
        // A2A peers and the agent directory.
        registerPeerRoutes(scope, context);
        registerPayloadRoutes(scope, context);
        registerSecurityRoutes(scope, context);
        registerEventRoutes(scope, { ...context, settings: options.eventSettings, streams });
      },
      { prefix: '/v1' },
    );
  });
}
