import { SbError } from '@switchboard/protocol';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { handleError, toSbError } from './error-handler.ts';
import { authorizeRoute, SERVICE_AUTHORIZED } from './operator-auth.ts';
import { problem, toProblem } from './problem.ts';
import { principalOf } from './route-context.ts';
import { eventNameOf, formatSseComment, formatSseEvent } from './sse.ts';

describe('Server-Sent Events', () => {
  it('formats events with and without an id, and comments', () => {
    expect(formatSseEvent({ id: 12, event: 'agent.connected', data: { a: 'x\ny' } })).toBe(
      'id: 12\nevent: agent.connected\ndata: {"a":"x\\ny"}\n\n',
    );
    expect(formatSseEvent({ event: 'stats', data: 1 })).toBe('event: stats\ndata: 1\n\n');
    expect(formatSseComment('keep-alive')).toBe(': keep-alive\n\n');
  });

  it('names an event by its subject after the events prefix', () => {
    expect(eventNameOf('sb.v1.evt.agent.connected', 'sb.v1.evt.>')).toBe('agent.connected');
    expect(eventNameOf('other.subject', 'sb.v1.evt.>')).toBe('other.subject');
  });
});

describe('problems', () => {
  it('carries the code, the status phrase, field errors and other details', () => {
    const error = new SbError('E_VALIDATION', 'bad', {
      details: { fields: [{ field: 'body.x', message: 'no' }], hint: 1 },
    });
    expect(toProblem(error, '/v1/x')).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'bad',
      code: 'E_VALIDATION',
      instance: '/v1/x',
      errors: [{ field: 'body.x', message: 'no' }],
      details: { hint: 1 },
    });
    expect(toProblem(new SbError('E_NOT_FOUND', 'gone'))).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'gone',
      code: 'E_NOT_FOUND',
    });
  });

  it('tells a rate-limited client when to come back', async () => {
    const app = Fastify();
    app.get('/limited', (_request, reply) =>
      problem(
        reply,
        new SbError('E_RATE_LIMITED', 'slow down', {
          details: { retryAfterMs: 1200, resetMs: 4001 },
        }),
      ),
    );
    app.get('/soon', (_request, reply) =>
      problem(reply, new SbError('E_RATE_LIMITED', 'slow down', { details: { retryAfterMs: 10 } })),
    );
    const limited = await app.inject({ url: '/limited' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers).toMatchObject({
      'retry-after': '2',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '5',
    });
    const soon = await app.inject({ url: '/soon' });
    expect(soon.headers['retry-after']).toBe('1');
    expect(soon.headers['ratelimit-reset']).toBeUndefined();
  });
});

describe('the error handler', () => {
  const app = Fastify({ logger: false });
  app.setErrorHandler(handleError);
  app.get('/bug', async () => {
    throw new Error('database password is hunter2');
  });
  app.post('/json', async () => 'ok');
  app.get('/gone', async () => {
    throw new SbError('E_UNAVAILABLE', 'the router is down');
  });

  it('answers a bug with E_INTERNAL without leaking its text', async () => {
    const response = await app.inject({ url: '/bug' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'E_INTERNAL', instance: '/bug' });
    expect(response.body).not.toContain('hunter2');
  });

  it("keeps fastify's own 4xx with a code from the status", async () => {
    const wrongType = await app.inject({
      method: 'POST',
      url: '/json?x=1',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(wrongType.json()).toMatchObject({
      status: 400,
      code: 'E_VALIDATION',
      instance: '/json',
    });
    const tooLarge = toSbError(Object.assign(new Error('body too large'), { statusCode: 413 }));
    expect(tooLarge).toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', message: 'body too large' });
    const teapot = toSbError(Object.assign(new Error('teapot'), { statusCode: 418 }));
    expect(teapot?.code).toBe('E_VALIDATION');
  });

  it('passes SbErrors through', async () => {
    const response = await app.inject({ url: '/gone' });
    expect(response.json()).toMatchObject({ status: 503, detail: 'the router is down' });
    expect(toSbError('a string')).toBeUndefined();
  });
});

describe('route permissions', () => {
  const admin = {
    id: 'key:bootstrap',
    credential: { type: 'bootstrap' as const, id: 'bootstrap' },
    agentIds: [],
    roles: ['admin'],
    grants: [{ kind: 'operator' as const, scopes: ['*' as const] }],
  };

  it('refuses everybody on a route that declares no scope', () => {
    expect(() => authorizeRoute(admin, undefined)).toThrow(/declares no operator scope/);
    expect(() => authorizeRoute(admin, 'keys:write')).not.toThrow();
  });

  it('leaves a service-authorized route to its service, even without operator grants', () => {
    const bare = { ...admin, roles: [], grants: [] };
    expect(() => authorizeRoute(bare, 'keys:read')).toThrow(/has no operator grant/);
    expect(() => authorizeRoute(bare, SERVICE_AUTHORIZED)).not.toThrow();
  });

  it('treats a request without a principal as unauthenticated', async () => {
    const app = Fastify();
    app.setErrorHandler(handleError);
    app.get('/who', async (request) => principalOf(request).id);
    expect((await app.inject({ url: '/who' })).json()).toMatchObject({ code: 'E_UNAUTHORIZED' });
  });
});
