import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { SbError } from '@switchboard/protocol';
import type { FastifyInstance } from 'fastify';
import { handleError } from './error-handler.ts';

/** Where the console is served. */
export const CONSOLE_PATH = '/console/';

// The console loads nothing from anywhere but the gateway (it must work air-gapped), so the
// policy can be strict: no inline scripts or styles, no other origin, no framing.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the console's built files (`apps/console`, `vite build`) at `/console/`. The files
 * need no credentials (DESIGN.md, Ports); everything they show comes from the operator API with
 * the session cookie. When the folder has not been built, `/console/` says how to build it.
 */
export function registerConsoleFiles(http: FastifyInstance, options: { dir: string }): void {
  const built = existsSync(join(options.dir, 'index.html'));
  void http.register(async (scope) => {
    scope.setErrorHandler(handleError);
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    });
    scope.get('/console', async (_request, reply) => reply.redirect(CONSOLE_PATH));
    if (built) {
      await scope.register(fastifyStatic, {
        root: options.dir,
        prefix: CONSOLE_PATH,
        decorateReply: false,
        // Hashed asset names change with every build; index.html must always be fetched anew.
        setHeaders: (reply, path) => {
          reply.header(
            'cache-control',
            path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
          );
        },
      });
      return;
    }
    scope.get(`${CONSOLE_PATH}*`, async () => {
      throw new SbError(
        'E_NOT_FOUND',
        `the console is not built in ${options.dir}: run \`pnpm --filter @switchboard/console build\`, or point gateway.consoleDir at a built copy`,
      );
    });
  });
}
