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
});
