import {
  StateDeleteRpc,
  StatePutRpc,
  type StateSummary,
  StateSummaryRpc,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, failure, type StateHarness } from '../test-state.ts';

let harness: StateHarness;
const admin = keyPrincipal('admin', ['admin']);

const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);
const summary = (scope: string, principal = admin, limit?: number): Promise<StateSummary> =>
  harness.bus.request(
    subject(StateSummaryRpc.operation),
    StateSummaryRpc,
    { scope, ...(limit === undefined ? {} : { limit }) },
    { principal },
  );
const put = (scope: string, key: string, expectedVersion: number, principal = admin) =>
  harness.bus.request(
    subject(StatePutRpc.operation),
    StatePutRpc,
    { scope, key, expectedVersion, document: { key } },
    { principal },
  );
const remove = (scope: string, key: string, expectedVersion: number) =>
  harness.bus.request(
    subject(StateDeleteRpc.operation),
    StateDeleteRpc,
    { scope, key, expectedVersion },
    { principal: admin },
  );

beforeAll(async () => {
  harness = await createStateHarness();
  await harness.start('state-a');
});
afterAll(async () => {
  await harness?.stop();
});

describe('state.summary', () => {
  it('lists current keys with their versions, most recently written first', async () => {
    await put('summary.order', 'a', 0);
    await put('summary.order', 'b', 0);
    await put('summary.order', 'c', 0);
    const written = await put('summary.order', 'a', 1);
    const listed = await summary('summary.order');
    expect(listed.scope).toBe('summary.order');
    expect(listed.truncated).toBe(false);
    expect(listed.items.map(({ key, version }) => ({ key, version }))).toEqual([
      { key: 'a', version: 2 },
      { key: 'c', version: 1 },
      { key: 'b', version: 1 },
    ]);
    expect(listed.items[0]?.updatedAt).toBe(written.updatedAt);
  });

  it('leaves deleted keys out, and lists them again once rewritten', async () => {
    await put('summary.deleted', 'kept', 0);
    await put('summary.deleted', 'gone', 0);
    await remove('summary.deleted', 'gone', 1);
    expect((await summary('summary.deleted')).items.map((item) => item.key)).toEqual(['kept']);
    await put('summary.deleted', 'gone', 2);
    expect((await summary('summary.deleted')).items).toMatchObject([
      { key: 'gone', version: 3 },
      { key: 'kept', version: 1 },
    ]);
  });

  it('lists at most limit keys and says when there are more', async () => {
    for (const key of ['k1', 'k2', 'k3']) await put('summary.limit', key, 0);
    const page = await summary('summary.limit', admin, 2);
    expect(page.items.map((item) => item.key)).toEqual(['k3', 'k2']);
    expect(page.truncated).toBe(true);
    expect((await summary('summary.limit', admin, 3)).truncated).toBe(false);
  });

  it('answers an empty scope with no items', async () => {
    expect(await summary('summary.empty')).toEqual({
      scope: 'summary.empty',
      items: [],
      truncated: false,
    });
  });

  it('is authorized like a read: own scope, or a read grant', async () => {
    const agent = agentPrincipal('s1');
    await put('agent:s1', 'plan', 0, agent);
    expect((await summary('agent:s1', agent)).items).toMatchObject([{ key: 'plan', version: 1 }]);
    expect((await failure(summary('agent:s2', agent))).code).toBe('E_FORBIDDEN');
    expect((await failure(summary('summary.order', agent))).code).toBe('E_FORBIDDEN');
    const reader = keyPrincipal(
      'reader',
      [],
      [{ kind: 'state', scopes: ['summary.>'], access: ['read'] }],
    );
    const writer = keyPrincipal(
      'writer',
      [],
      [{ kind: 'state', scopes: ['summary.>'], access: ['write'] }],
    );
    expect((await summary('summary.order', reader)).items).toHaveLength(3);
    expect((await failure(summary('summary.order', writer))).code).toBe('E_FORBIDDEN');
  });
});
