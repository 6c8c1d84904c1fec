import type { ServiceFrame } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { forwardRouteOf } from './forward.ts';

const base = { v: 1, id: 'f1' };
const requestOf = (frame: ServiceFrame) => {
  const route = forwardRouteOf(frame);
  return {
    service: route.service,
    operation: route.rpc.operation,
    request: route.request(frame, 'a1'),
  };
};

describe('forwardRouteOf', () => {
  it('sends state frames to the state RPC of the same name, in the agent’s own scope by default', () => {
    expect(requestOf({ ...base, type: 'state.get', key: 'k' })).toEqual({
      service: 'state',
      operation: 'get',
      request: { scope: 'agent:a1', key: 'k' },
    });
    expect(
      requestOf({ ...base, type: 'state.put', key: 'k', expectedVersion: 0, document: [1] }),
    ).toEqual({
      service: 'state',
      operation: 'put',
      request: { scope: 'agent:a1', key: 'k', expectedVersion: 0, document: [1] },
    });
    expect(
      requestOf({
        ...base,
        type: 'state.patch',
        scope: 'team.a',
        key: 'k',
        expectedVersion: 2,
        patch: { x: null },
      }),
    ).toEqual({
      service: 'state',
      operation: 'patch',
      request: { scope: 'team.a', key: 'k', expectedVersion: 2, patch: { x: null } },
    });
    expect(requestOf({ ...base, type: 'state.delete', key: 'k', expectedVersion: 3 })).toEqual({
      service: 'state',
      operation: 'delete',
      request: { scope: 'agent:a1', key: 'k', expectedVersion: 3 },
    });
  });

  it('passes history paging only when the frame has it', () => {
    expect(requestOf({ ...base, type: 'state.history', key: 'k' }).request).toEqual({
      scope: 'agent:a1',
      key: 'k',
    });
    expect(
      requestOf({ ...base, type: 'state.history', key: 'k', limit: 5, cursor: '9' }).request,
    ).toEqual({ scope: 'agent:a1', key: 'k', limit: 5, cursor: '9' });
  });

  it('names the registered agent in lifecycle requests', () => {
    expect(requestOf({ ...base, type: 'lifecycle.transition', to: 'busy' })).toEqual({
      service: 'state',
      operation: 'lifecycle.transition',
      request: { agentId: 'a1', to: 'busy' },
    });
    expect(
      requestOf({ ...base, type: 'lifecycle.transition', to: 'idle', reason: 'done' }).request,
    ).toEqual({ agentId: 'a1', to: 'idle', reason: 'done' });
    expect(requestOf({ ...base, type: 'lifecycle.get' })).toEqual({
      service: 'state',
      operation: 'lifecycle.get',
      request: { agentId: 'a1' },
    });
  });
  it('sends router frames to the router, naming the agent only where the RPC needs it', () => {
    const message = {
      id: '0190e6a4-0000-7000-8000-000000000001',
      to: { kind: 'topic' as const, topic: 't' },
      payload: 1,
    };
    expect(requestOf({ ...base, type: 'send', message })).toEqual({
      service: 'router',
      operation: 'send',
      request: { message },
    });
    expect(requestOf({ ...base, type: 'subscribe', pattern: 'a.*' }).request).toEqual({
      pattern: 'a.*',
    });
    const filter = { headers: { kind: 'x' } };
    expect(requestOf({ ...base, type: 'subscribe', pattern: 'a.>', filter })).toEqual({
      service: 'router',
      operation: 'subscribe',
      request: { pattern: 'a.>', filter },
    });
    expect(requestOf({ ...base, type: 'unsubscribe', pattern: 'a.*' })).toEqual({
      service: 'router',
      operation: 'unsubscribe',
      request: { pattern: 'a.*' },
    });
    expect(requestOf({ ...base, type: 'subscriptions' })).toEqual({
      service: 'router',
      operation: 'subscriptions',
      request: {},
    });
    expect(requestOf({ ...base, type: 'dlq.list' })).toEqual({
      service: 'router',
      operation: 'dlq.list',
      request: { agentId: 'a1' },
    });
    expect(requestOf({ ...base, type: 'dlq.list', limit: 5, cursor: '7' }).request).toEqual({
      agentId: 'a1',
      limit: 5,
      cursor: '7',
    });
    expect(requestOf({ ...base, type: 'dlq.get', deliveryId: '9' })).toEqual({
      service: 'router',
      operation: 'dlq.get',
      request: { id: '9' },
    });
    for (const type of ['dlq.replay', 'dlq.purge'] as const) {
      expect(requestOf({ ...base, type })).toEqual({
        service: 'router',
        operation: type,
        request: { agentId: 'a1' },
      });
      expect(requestOf({ ...base, type, ids: ['1', '2'] }).request).toEqual({
        agentId: 'a1',
        ids: ['1', '2'],
      });
    }
  });
});
