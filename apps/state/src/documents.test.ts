import { connectRedis } from '@switchboard/cache';
import {
  type SbError,
  type StateChangedEvent,
  StateChangedEventSchema,
  StateDeleteRpc,
  StateGetRpc,
  StateHistoryRpc,
  StatePatchRpc,
  StatePutRpc,
  StateVersionRpc,
  StatsRpc,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal, testInfra, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, failure, type StateHarness } from './test-state.ts';

let harness: StateHarness;
const admin = keyPrincipal('admin', ['admin']);
const events: StateChangedEvent[] = [];

const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);
const get = (scope: string, key: string, principal = admin) =>
  harness.bus.request(subject('get'), StateGetRpc, { scope, key }, { principal });
const put = (
  scope: string,
  key: string,
  expectedVersion: number,
  document: unknown,
  principal = admin,
) =>
  harness.bus.request(
    subject('put'),
    StatePutRpc,
    { scope, key, expectedVersion, document: document as never },
    { principal },
  );
const patch = (scope: string, key: string, expectedVersion: number, body: unknown) =>
  harness.bus.request(
    subject('patch'),
    StatePatchRpc,
    { scope, key, expectedVersion, patch: body as never },
    { principal: admin },
  );

beforeAll(async () => {
  harness = await createStateHarness();
  const env = {
    SB_STATE__MAX_DOCUMENT_BYTES: '1024',
    SB_STATE__CONFLICT_POLICIES: JSON.stringify([
      { scope: 'lww.>', policy: 'last-writer-wins' },
      { scope: 'merge.>', policy: 'merge' },
    ]),
  };
  await harness.start('state-a', env);
  await harness.start('state-b', env);
  await harness.bus.consumeEvents({
    filterSubject: harness.bus.subjects.event('state', 'changed'),
    schema: StateChangedEventSchema,
    handler: async ({ payload }) => void events.push(payload),
  });
});
afterAll(async () => {
  await harness?.stop();
});

describe('state documents', () => {
  it('creates, reads, replaces, patches and deletes with growing versions', async () => {
    expect(await put('team.one', 'doc', 0, { a: 1 })).toMatchObject({ version: 1 });
    expect(await get('team.one', 'doc')).toMatchObject({
      version: 1,
      document: { a: 1 },
      updatedBy: 'key:admin',
    });
    expect(await patch('team.one', 'doc', 1, { b: 2 })).toMatchObject({ version: 2 });
    expect((await get('team.one', 'doc')).document).toEqual({ a: 1, b: 2 });
    const deleted = await harness.bus.request(
      subject('delete'),
      StateDeleteRpc,
      { scope: 'team.one', key: 'doc', expectedVersion: 2 },
      { principal: admin },
    );
    expect(deleted.version).toBe(3);
    expect((await failure(get('team.one', 'doc'))).code).toBe('E_NOT_FOUND');
    // A put after a delete continues from the tombstone's version.
    expect(await put('team.one', 'doc', 0, { again: true })).toMatchObject({ version: 4 });
    await waitFor(() => events.filter((event) => event.scope === 'team.one').length === 4, {
      what: 'four state.changed events',
    });
    expect(events.filter((event) => event.scope === 'team.one')).toEqual([
      { scope: 'team.one', key: 'doc', version: 1, op: 'put' },
      { scope: 'team.one', key: 'doc', version: 2, op: 'patch' },
      { scope: 'team.one', key: 'doc', version: 3, op: 'delete' },
      { scope: 'team.one', key: 'doc', version: 4, op: 'put' },
    ]);
  });

  it('lets exactly one of two writers racing on one version win; the other gets the current document', async () => {
    await put('race.one', 'doc', 0, { n: 0 });
    const outcomes = await Promise.allSettled([
      put('race.one', 'doc', 1, { n: 'left' }),
      put('race.one', 'doc', 1, { n: 'right' }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as SbError] : [],
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const current = await get('race.one', 'doc');
    expect(current.version).toBe(2);
    expect(lost[0]).toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 2, document: current.document },
    });
  });

  it('lets exactly one of two creators of a new key win', async () => {
    const outcomes = await Promise.allSettled([
      put('race.new', 'doc', 0, { by: 'left' }),
      put('race.new', 'doc', 0, { by: 'right' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({
      reason: { code: 'E_CONFLICT', details: { currentVersion: 1 } },
    });
  });

  it('overwrites a stale version under last-writer-wins', async () => {
    await put('lww.one', 'doc', 0, { n: 1 });
    await put('lww.one', 'doc', 1, { n: 2 });
    expect(await put('lww.one', 'doc', 1, { n: 3 })).toMatchObject({ version: 3 });
    expect((await get('lww.one', 'doc')).document).toEqual({ n: 3 });
  });

  it('merges a stale patch touching unchanged keys, and refuses one touching a changed key', async () => {
    await put('merge.one', 'doc', 0, { a: 1, b: 1 });
    await patch('merge.one', 'doc', 1, { a: 2 });
    expect(await patch('merge.one', 'doc', 1, { b: 5 })).toMatchObject({ version: 3 });
    expect((await get('merge.one', 'doc')).document).toEqual({ a: 2, b: 5 });
    const refused = await failure(patch('merge.one', 'doc', 1, { a: 9 }));
    expect(refused).toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 3, document: { a: 2, b: 5 } },
    });
    // A put is never merged.
    expect((await failure(put('merge.one', 'doc', 1, { c: 1 }))).code).toBe('E_CONFLICT');
  });

  it('refuses a stale write under the default reject policy', async () => {
    await put('plain.one', 'doc', 0, { a: 1 });
    await patch('plain.one', 'doc', 1, { a: 2 });
    expect(await failure(patch('plain.one', 'doc', 1, { b: 1 }))).toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 2, document: { a: 2 } },
    });
  });

  it('refuses a document over the size limit with E_PAYLOAD_TOO_LARGE, also one a patch grows', async () => {
    expect((await failure(put('big.one', 'doc', 0, { s: 'x'.repeat(2000) }))).code).toBe(
      'E_PAYLOAD_TOO_LARGE',
    );
    await put('big.one', 'doc', 0, { s: 'x'.repeat(600) });
    expect((await failure(patch('big.one', 'doc', 1, { t: 'y'.repeat(600) }))).code).toBe(
      'E_PAYLOAD_TOO_LARGE',
    );
    expect((await get('big.one', 'doc')).version).toBe(1);
  });

  it('lets an agent use its own scope only, and a grant decide the rest', async () => {
    const agent = agentPrincipal('a1');
    await put('agent:a1', 'memory', 0, { seen: 1 }, agent);
    expect((await get('agent:a1', 'memory', agent)).document).toEqual({ seen: 1 });
    expect((await failure(get('agent:a2', 'memory', agent))).code).toBe('E_FORBIDDEN');
    const reader = keyPrincipal(
      'reader',
      [],
      [{ kind: 'state', scopes: ['agent:a1'], access: ['read'] }],
    );
    expect((await get('agent:a1', 'memory', reader)).version).toBe(1);
    expect((await failure(put('agent:a1', 'memory', 1, {}, reader))).code).toBe('E_FORBIDDEN');
    expect((await failure(get('agent:a1', 'memory', ''))).code).toBe('E_UNAUTHORIZED');
  });

  it('keeps history and serves a past version', async () => {
    await put('hist.one', 'doc', 0, { v: 1 });
    await put('hist.one', 'doc', 1, { v: 2 });
    await put('hist.one', 'doc', 2, { v: 3 });
    const first = await harness.bus.request(
      subject('history'),
      StateHistoryRpc,
      { scope: 'hist.one', key: 'doc', limit: 2 },
      { principal: admin },
    );
    expect(first.items.map((item) => item.version)).toEqual([3, 2]);
    expect(first.nextCursor).toBe('2');
    const rest = await harness.bus.request(
      subject('history'),
      StateHistoryRpc,
      { scope: 'hist.one', key: 'doc', limit: 2, cursor: first.nextCursor ?? '' },
      { principal: admin },
    );
    expect(rest).toMatchObject({
      items: [{ version: 1, op: 'put', document: { v: 1 } }],
      nextCursor: null,
    });
    const past = await harness.bus.request(
      subject('version'),
      StateVersionRpc,
      { scope: 'hist.one', key: 'doc', version: 2 },
      { principal: admin },
    );
    expect(past).toMatchObject({ version: 2, document: { v: 2 }, by: 'key:admin' });
    const missing = harness.bus.request(
      subject('version'),
      StateVersionRpc,
      { scope: 'hist.one', key: 'doc', version: 9 },
      { principal: admin },
    );
    expect((await failure(missing)).code).toBe('E_NOT_FOUND');
  });

  it('never serves a stale read from any replica after a successful write', async () => {
    await put('cache.one', 'doc', 0, { n: 0 });
    for (let n = 1; n <= 20; n += 1) {
      // Reads warm the cache on whichever replica answers; the next write must invalidate it.
      await get('cache.one', 'doc');
      await get('cache.one', 'doc');
      await put('cache.one', 'doc', n, { n });
      for (let read = 0; read < 4; read += 1) {
        expect(await get('cache.one', 'doc')).toMatchObject({ version: n + 1, document: { n } });
      }
    }
  });

  it('loses nothing when the namespace Redis keys are wiped', async () => {
    await put('wipe.one', 'doc', 0, { kept: true });
    await get('wipe.one', 'doc');
    const redis = await connectRedis(
      { url: testInfra.redisUrl, connectTimeoutMs: 2000 },
      { prefix: `${harness.context.namespace}:`, connectionName: 'test' },
    );
    try {
      expect(await redis.deleteAll()).toBeGreaterThan(0);
    } finally {
      await redis.close();
    }
    expect(await get('wipe.one', 'doc')).toMatchObject({ version: 1, document: { kept: true } });
  });

  it('reports reads, writes, conflicts and cache hits in stats and metrics', async () => {
    const stats = await harness.bus.request(
      subject(StatsRpc.operation),
      StatsRpc,
      {},
      { principal: admin },
    );
    expect(stats.figures).toMatchObject({
      writes: expect.any(Number),
      cacheHitRatio: expect.any(Number),
    });
    // Either replica may have answered: look at both.
    const text = (
      await Promise.all(harness.services.map((service) => service.metrics.metrics()))
    ).join('\n');
    expect(text).toMatch(/sb_state_writes_total\{[^}]*op="put"[^}]*\} [1-9]/);
    expect(text).toMatch(/sb_state_cache_total\{[^}]*result="hit"[^}]*\} [1-9]/);
    expect(text).toMatch(/sb_state_conflicts_total\{[^}]*policy="reject"[^}]*outcome="rejected"/);
    expect(text).toMatch(/sb_state_conflicts_total\{[^}]*policy="merge"[^}]*outcome="settled"/);
    expect(text).toMatch(/sb_state_write_duration_seconds_count\{[^}]*\} [1-9]/);
  });
});
