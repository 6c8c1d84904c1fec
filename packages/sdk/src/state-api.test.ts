import { describe, expect, it } from 'vitest';
import type { OutgoingFrame } from './frames.ts';
import { createLifecycleApi } from './lifecycle-api.ts';
import { createStateApi } from './state-api.ts';
import { StateWatches } from './state-watches.ts';

const updatedAt = '2026-01-01T00:00:00.000Z';
const watching = () => ({ watches: new StateWatches(), agentId: () => 'a1' });

function recorder(result: unknown) {
  const sent: OutgoingFrame[] = [];
  const send = async (frame: OutgoingFrame) => {
    sent.push(frame);
    return { v: 1, type: 'result' as const, id: 'g1', re: 'x', result };
  };
  return { sent, send };
}

describe('createStateApi', () => {
  it('sends frames without a scope unless the call names one', async () => {
    const { sent, send } = recorder({ version: 1, updatedAt });
    const store = createStateApi(send, watching());
    await store.put('k', { a: 1 }, { expectedVersion: 0 });
    await store.patch('k', { a: 2 }, { expectedVersion: 1, scope: 'team.a' });
    await store.delete('k', { expectedVersion: 2 });
    expect(sent).toEqual([
      { type: 'state.put', key: 'k', document: { a: 1 }, expectedVersion: 0 },
      { type: 'state.patch', key: 'k', patch: { a: 2 }, scope: 'team.a', expectedVersion: 1 },
      { type: 'state.delete', key: 'k', expectedVersion: 2 },
    ]);
  });

  it('reads a document in the agent’s own scope or a named one', async () => {
    const entry = {
      scope: 'agent:a1',
      key: 'k',
      version: 1,
      document: 1,
      updatedAt,
      updatedBy: 'x',
    };
    const { sent, send } = recorder(entry);
    const store = createStateApi(send, watching());
    expect(await store.get('k')).toEqual(entry);
    await store.get('k', { scope: 'team.a' });
    expect(sent).toEqual([
      { type: 'state.get', key: 'k' },
      { type: 'state.get', key: 'k', scope: 'team.a' },
    ]);
  });

  it('sends history paging only when given', async () => {
    const { sent, send } = recorder({ items: [], nextCursor: null });
    const store = createStateApi(send, watching());
    await store.history('k');
    await store.history('k', { scope: 'team.a', limit: 10, cursor: '4' });
    expect(sent).toEqual([
      { type: 'state.history', key: 'k' },
      { type: 'state.history', key: 'k', scope: 'team.a', limit: 10, cursor: '4' },
    ]);
  });

  it('remembers the scopes the gateway agreed to watch, and forgets unwatched ones', async () => {
    const sent: OutgoingFrame[] = [];
    const send = async (frame: OutgoingFrame) => {
      sent.push(frame);
      const scope = 'scope' in frame && frame.scope !== undefined ? frame.scope : 'agent:a1';
      const result = frame.type === 'state.unwatch' ? { removed: true } : { scope };
      return { v: 1, type: 'result' as const, id: 'g1', re: 'x', result };
    };
    const state = watching();
    const store = createStateApi(send, state);
    expect(await store.watch()).toEqual({ scope: 'agent:a1' });
    expect(await store.watch('team.a')).toEqual({ scope: 'team.a' });
    expect(state.watches.list()).toEqual(['agent:a1', 'team.a']);
    expect(await store.unwatch()).toEqual({ removed: true });
    expect(state.watches.list()).toEqual(['team.a']);
    await store.unwatch('team.a');
    expect(state.watches.list()).toEqual([]);
    expect(sent).toEqual([
      { type: 'state.watch' },
      { type: 'state.watch', scope: 'team.a' },
      { type: 'state.unwatch' },
      { type: 'state.unwatch', scope: 'team.a' },
    ]);
  });
});

describe('createLifecycleApi', () => {
  it('reports a status with or without a reason', async () => {
    const { sent, send } = recorder({ agentId: 'a1', status: 'busy', version: 3, updatedAt });
    const lifecycle = createLifecycleApi(send);
    expect(await lifecycle.report('busy')).toMatchObject({ status: 'busy' });
    await lifecycle.report('busy', 'working');
    await lifecycle.get();
    expect(sent).toEqual([
      { type: 'lifecycle.transition', to: 'busy' },
      { type: 'lifecycle.transition', to: 'busy', reason: 'working' },
      { type: 'lifecycle.get' },
    ]);
  });
});
