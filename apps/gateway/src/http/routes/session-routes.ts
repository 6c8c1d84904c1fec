import type { Principal } from '@switchboard/authz';
import { isSbError, SbError } from '@switchboard/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { reportRefusal } from '../../security/refusal-events.ts';
import {
  assertCsrf,
  CSRF_HEADER,
  SESSION_COOKIE,
  type SessionRecord,
  sessionIdOf,
} from '../console-session.ts';
import { problemResponses } from '../problem-responses.ts';
import type { RouteContext, ZodScope } from '../route-context.ts';

const SessionSchema = z
  .strictObject({
    keyId: z.string().describe('The operator key the session was issued for'),
    principal: z.string().describe('Who acts: `key:<keyId>`'),
    scopes: z.array(z.string()).describe('The operator scopes the key grants (`*`: all)'),
    csrfToken: z
      .string()
      .describe(`Send it in the ${CSRF_HEADER} header with every request that changes anything`),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'ConsoleSession' });

function operatorScopes(principal: Principal): string[] {
  return [
    ...new Set(
      principal.grants.flatMap((grant) => (grant.kind === 'operator' ? grant.scopes : [])),
    ),
  ];
}

function sessionOf(record: SessionRecord, principal: Principal): z.infer<typeof SessionSchema> {
  return {
    keyId: record.keyId,
    principal: principal.id,
    scopes: operatorScopes(principal),
    csrfToken: record.csrfToken,
    expiresAt: record.expiresAt,
  };
}

// `Secure` whenever the browser reached the gateway over TLS (directly or through a proxy that
// fastify trusts); a plain-http deployment on localhost still gets a working cookie.
function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  };
}

function clearCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request, 0));
}

/**
 * `/v1/session`: the console signs in with an operator API key and gets an httpOnly
 * `SameSite=Strict` session cookie plus a CSRF token; reads its session back after a reload;
 * signs out. The key itself never reaches the browser's storage. Registered beside the `/v1`
 * scope, not in it: signing in is the one call that comes without credentials.
 */
export function registerSessionRoutes(scope: ZodScope, context: RouteContext): void {
  scope.addHook('onRequest', async (request) => {
    await context.runtime().limiter.checkIp(request.ip, '/v1/session');
  });

  scope.post(
    '',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in to the console with an operator API key',
        description: `Sets the ${SESSION_COOKIE} cookie (httpOnly, SameSite=Strict). Only API keys with at least one operator scope are exchanged; JWTs are not.`,
        security: [],
        body: z.strictObject({ apiKey: z.string().min(1).max(512) }),
        response: { 201: SessionSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const runtime = context.runtime();
      const path = '/v1/session';
      let principal: Principal | undefined;
      try {
        principal = await runtime.resolve(request.body.apiKey);
        if (principal.credential.type !== 'api_key' && principal.credential.type !== 'bootstrap') {
          throw new SbError(
            'E_UNAUTHORIZED',
            'sign in to the console with an operator API key; JWTs are not exchanged for sessions',
          );
        }
        await runtime.limiter.checkCredential(principal, { ip: request.ip, path });
        if (operatorScopes(principal).length === 0) {
          throw new SbError(
            'E_FORBIDDEN',
            `API key ${principal.credential.id} has no operator scope; the console needs an operator key (role admin or observer)`,
          );
        }
      } catch (error) {
        if (isSbError(error)) {
          reportRefusal(runtime.security, error, { ip: request.ip, path, principal });
        }
        throw error;
      }
      const { sessionId, record } = await runtime.sessions.create(principal.credential.id);
      const maxAgeSeconds = Math.floor((Date.parse(record.expiresAt) - Date.now()) / 1000);
      reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions(request, maxAgeSeconds));
      request.log.info({ keyId: record.keyId }, 'console session started');
      return reply.code(201).send(sessionOf(record, principal));
    },
  );

  scope.get(
    '',
    {
      schema: {
        tags: ['session'],
        summary: 'The current console session (after a reload: its CSRF token again)',
        security: [{ session: [] }],
        response: { 200: SessionSchema, ...problemResponses },
      },
    },
    async (request) => {
      const runtime = context.runtime();
      const sessionId = sessionIdOf(request);
      const record = sessionId === undefined ? undefined : await runtime.sessions.get(sessionId);
      if (record === undefined) {
        throw new SbError('E_UNAUTHORIZED', 'no console session; sign in with an operator key');
      }
      return sessionOf(record, await runtime.resolveSession(record.keyId));
    },
  );

  scope.delete(
    '',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign out of the console',
        description: `Idempotent; needs the session's ${CSRF_HEADER} header while the session lasts.`,
        security: [{ session: [] }],
        response: { 204: z.null().describe('Signed out'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const runtime = context.runtime();
      const sessionId = sessionIdOf(request);
      if (sessionId !== undefined) {
        const record = await runtime.sessions.get(sessionId);
        if (record !== undefined) {
          // So that another site cannot sign the operator out.
          assertCsrf(request, record);
          await runtime.sessions.delete(sessionId);
          request.log.info({ keyId: record.keyId }, 'console session ended');
        }
      }
      clearCookie(request, reply);
      return reply.code(204).send(null);
    },
  );
}
