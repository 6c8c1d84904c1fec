import { randomBytes } from 'node:crypto';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import {
  createRecordCodec,
  encodePayload,
  type RecordCodec,
  type StoredPayload,
} from '@switchboard/db';
import {
  batchRpcOf,
  defineRpc,
  SbError,
  type SecurityEvent,
  SecurityEventSchema,
} from '@switchboard/protocol';
import {
  cleanupNamespace,
  createTestNamespace,
  keyPrincipal,
  testInfra,
  waitFor,
} from '@switchboard/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerEach } from './answer-each.ts';
import { reportRefusals } from './refusal-reports.ts';
import { createSecurityEvents, type SecurityEvents } from './security-events.ts';
import { reportUndecryptable } from './undecryptable-reports.ts';

const namespace = createTestNamespace();
let bus: NatsBus;
const received: SecurityEvent[] = [];
const warnings: Array<{ securityEvent: SecurityEvent }> = [];
const log = {
  warn: (fields: { securityEvent: SecurityEvent }) => warnings.push(fields),
  error: () => undefined,
};

beforeAll(async () => {
  bus = await connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => 2000,
  });
  await bus.consumeEvents({
    filterSubject: bus.subjects.event('security', '>'),
    schema: SecurityEventSchema,
    handler: async ({ payload, subject }) => {
      expect(subject).toBe(bus.subjects.event('security', payload.kind));
      received.push(payload);
    },
  });
});
afterAll(async () => {
  await bus?.close();
  await cleanupNamespace(namespace);
});

const eventsOf = async (match: (event: SecurityEvent) => boolean, count = 1) => {
  await waitFor(async () => received.filter(match).length >= count, {
    what: 'security events',
  });
  return received.filter(match);
};

describe('createSecurityEvents', () => {
  it('publishes, logs and counts an event, clipping a long detail', async () => {
    const metrics = new Registry();
    const security = createSecurityEvents({ bus, service: 'router', log, metrics });
    security.report({ kind: 'auth_failed', ip: '10.0.0.1', detail: 'x'.repeat(2000) });
    const [event] = await eventsOf((found) => found.ip === '10.0.0.1');
    expect(event).toMatchObject({ kind: 'auth_failed', service: 'router', at: expect.any(Number) });
    expect(event?.detail).toHaveLength(1000);
    expect(warnings.map((warning) => warning.securityEvent.id)).toContain(event?.id);
    const counted = await metrics.getSingleMetric('sb_security_events_total')?.get();
    expect(counted?.values).toEqual([{ labels: { kind: 'auth_failed' }, value: 1 }]);
  });

  it('sends at most one rate_limited event per caller and path an interval, counting every hit', async () => {
    const metrics = new Registry();
    let now = 1_000_000;
    const security = createSecurityEvents({
      bus,
      service: 'tools',
      log,
      metrics,
      rateLimitReportIntervalMs: () => 1000,
      now: () => now,
    });
    const hit = { kind: 'rate_limited', credentialId: 'k-flood', path: '/mcp' } as const;
    for (let index = 0; index < 3; index++) security.report(hit);
    security.report({ kind: 'rate_limited', ip: '10.0.0.7', path: '/mcp' });
    now += 1000;
    security.report(hit);
    const events = await eventsOf((found) => found.credentialId === 'k-flood', 2);
    expect(events.map((event) => event.facts)).toEqual([{ hits: 1 }, { hits: 3 }]);
    await eventsOf((found) => found.ip === '10.0.0.7');
    const hits = await metrics.getSingleMetric('sb_rate_limit_hits_total')?.get();
    expect(hits?.values).toEqual([
      { labels: { path: '/mcp', credential: 'k-flood' }, value: 4 },
      { labels: { path: '/mcp', credential: 'ip:10.0.0.7' }, value: 1 },
    ]);
  });
});

describe('reportRefusals', () => {
  const ProbeRpc = defineRpc('probe', z.strictObject({ what: z.string() }), z.string());
  const ProbeBatchRpc = batchRpcOf(ProbeRpc);
  const caller = keyPrincipal('k-probe', ['observer']);

  beforeAll(async () => {
    const security = createSecurityEvents({ bus, service: 'state', log, metrics: new Registry() });
    const served = reportRefusals(bus, security);
    const handle = async ({ what }: { what: string }) => {
      if (what === 'forbidden') throw new SbError('E_FORBIDDEN', 'no grant covers probe');
      if (what === 'undecryptable') {
        throw new SbError('E_INTERNAL', 'state.documents:x does not decrypt', {
          details: { record: 'state.documents:x', keyId: 'k1' },
        });
      }
      if (what === 'missing') throw new SbError('E_NOT_FOUND', 'no such thing');
      return 'ok';
    };
    served.serve(served.subjects.rpc('state', 'probe'), ProbeRpc, handle, { queue: 'probe' });
    served.serve(
      served.subjects.rpc('state', 'probe.batch'),
      ProbeBatchRpc,
      ({ items }) => answerEach(items, handle, log),
      { queue: 'probe' },
    );
    await served.ping();
  });

  const probe = (what: string, principal?: string) =>
    bus
      .request(bus.subjects.rpc('state', 'probe'), ProbeRpc, { what }, { principal })
      .catch((error: unknown) => error);

  it('reports an E_FORBIDDEN reply with its caller, and passes the error on unchanged', async () => {
    expect(await probe('forbidden', caller)).toMatchObject({ code: 'E_FORBIDDEN' });
    const [event] = await eventsOf(
      (found) => found.kind === 'forbidden' && found.principal === 'key:k-probe',
    );
    expect(event).toMatchObject({
      service: 'state',
      credentialId: 'k-probe',
      path: bus.subjects.rpc('state', 'probe'),
      code: 'E_FORBIDDEN',
    });
    expect(await probe('forbidden')).toMatchObject({ code: 'E_FORBIDDEN' });
    await eventsOf((found) => found.kind === 'forbidden' && found.principal === undefined);
  });

  it('reports a record that does not decrypt, naming the record and key', async () => {
    expect(await probe('undecryptable', caller)).toMatchObject({ code: 'E_INTERNAL' });
    const [event] = await eventsOf((found) => found.kind === 'decrypt_failed');
    expect(event?.facts).toEqual({ record: 'state.documents:x', keyId: 'k1' });
  });

  it('reports the refused items of a batch, and nothing for other answers', async () => {
    const before = received.length;
    expect(await probe('missing', caller)).toMatchObject({ code: 'E_NOT_FOUND' });
    expect(await probe('fine', caller)).toBe('ok');
    const answer = await bus.request(
      bus.subjects.rpc('state', 'probe.batch'),
      ProbeBatchRpc,
      { items: [{ what: 'fine' }, { what: 'forbidden' }, { what: 'missing' }] },
      { principal: keyPrincipal('k-batch', []) },
    );
    expect(answer.results.map((result) => result.ok)).toEqual([true, false, false]);
    const [event] = await eventsOf((found) => found.principal === 'key:k-batch');
    expect(event?.kind).toBe('forbidden');
    expect(received.slice(before).map((found) => found.kind)).toEqual(['forbidden']);
  });
});

describe('reportUndecryptable', () => {
  const codec = createRecordCodec({
    keys: new Map([['k9', randomBytes(32)]]),
    activeKeyId: 'k9',
  });
  let security: SecurityEvents;
  let reporting: RecordCodec;
  let stored: StoredPayload;
  beforeAll(() => {
    security = createSecurityEvents({ bus, service: 'router', log, metrics: new Registry() });
    reporting = reportUndecryptable(codec, security);
    stored = reporting.encode(encodePayload({ secret: 'moved' }), 'router.messages:m1');
  });

  it('reads what decrypts, and reports a record that does not once, wherever it was read', async () => {
    expect(reporting.activeKeyId).toBe('k9');
    expect(reporting.decode(stored, 'router.messages:m1')).toEqual({ secret: 'moved' });
    let failure: unknown;
    try {
      reporting.decode(stored, 'router.messages:m2');
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({
      code: 'E_INTERNAL',
      details: { record: 'router.messages:m2' },
    });
    const [event] = await eventsOf(
      (found) => found.kind === 'decrypt_failed' && found.facts?.record === 'router.messages:m2',
    );
    expect(event).toMatchObject({ service: 'router', facts: { keyId: 'k9' } });
    expect(JSON.stringify(event)).not.toContain('moved');
    // A failure that is not about decryption is not a security event.
    expect(() => reporting.decode({ ...stored, codec: 'zstd' }, 'router.messages:m1')).toThrow(
      /unknown codec/,
    );
  });

  it('is not reported a second time when the failure reaches an RPC reply', async () => {
    const served = reportRefusals(bus, security);
    served.serve(
      served.subjects.rpc('router', 'probe'),
      defineRpc('probe', z.strictObject({}), z.unknown()),
      async () => reporting.decode(stored, 'router.messages:m3'),
      { queue: 'probe' },
    );
    await served.ping();
    const reply = await bus
      .request(
        served.subjects.rpc('router', 'probe'),
        defineRpc('probe', z.strictObject({}), z.unknown()),
        {},
      )
      .catch((error: unknown) => error);
    expect(reply).toMatchObject({ code: 'E_INTERNAL' });
    await eventsOf((found) => found.facts?.record === 'router.messages:m3');
    // Another event after it, so that a duplicate would have arrived by then.
    security.report({ kind: 'auth_failed', ip: '10.0.0.99' });
    await eventsOf((found) => found.ip === '10.0.0.99');
    expect(received.filter((found) => found.facts?.record === 'router.messages:m3')).toHaveLength(
      1,
    );
  });
});
