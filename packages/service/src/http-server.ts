import type { RootLogger } from '@switchboard/logger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import type { ReadinessReport } from './readiness.ts';

const probePaths = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The HTTP side every service has: `/healthz` (the process answers), `/readyz` (its
 * dependencies answer) and `/metrics` (Prometheus). Services add their own routes to it.
 */
export function createHttpServer(options: {
  log: RootLogger;
  metrics: Registry;
  readiness: () => Promise<ReadinessReport | { ready: false; checks: Record<string, string> }>;
}): FastifyInstance {
  const http = Fastify({
    // Widened so routes see fastify's logger type whichever pino version built it.
    loggerInstance: options.log.child({ component: 'http' }) as FastifyBaseLogger,
    // Probes and scrapes arrive every few seconds; a log line each would bury everything else.
    logController: new LogController({
      disableRequestLogging: (request) => probePaths.has(request.url),
    }),
    // Probes must answer while a slow client holds a connection.
    requestTimeout: 30_000,
  });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) => {
    const report = await options.readiness();
    return reply.code(report.ready ? 200 : 503).send({
      status: report.ready ? 'ready' : 'not ready',
      checks: report.checks,
    });
  });
  http.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.metrics();
    return reply.type(options.metrics.contentType).send(body);
  });
  return http;
}
