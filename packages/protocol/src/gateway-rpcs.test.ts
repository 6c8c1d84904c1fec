import { describe, expect, it } from 'vitest';
import {
  AgentRecordSchema,
  AgentsQueryRpc,
  GatewayControlRpc,
  MAX_AGENTS_PAGE,
} from './gateway-rpcs.ts';

describe('the gateway RPCs', () => {
  it('default a catalog query to a first page of 100 and bound its size', () => {
    expect(AgentsQueryRpc.request.parse({})).toEqual({ limit: 100 });
    expect(AgentsQueryRpc.request.safeParse({ limit: MAX_AGENTS_PAGE + 1 }).success).toBe(false);
    expect(
      AgentsQueryRpc.request.safeParse({ labels: { 'bad key': 'x' }, status: 'connected' }).success,
    ).toBe(false);
    expect(AgentsQueryRpc.request.safeParse({ status: 'sleeping' }).success).toBe(false);
  });

  it('describe an agent with ISO times and nullable connection fields', () => {
    const record = {
      id: 'a-1',
      name: 'A',
      version: '1',
      description: null,
      capabilities: [{ name: 'plan' }],
      labels: { team: 'ops' },
      status: 'disconnected',
      gatewayId: null,
      connectionId: null,
      registeredBy: 'key:k',
      registeredAt: '2026-01-01T00:00:00.000Z',
      connectedAt: null,
      disconnectedAt: '2026-01-01T00:00:01.000Z',
      disconnectReason: 'operator',
    };
    expect(AgentRecordSchema.parse(record)).toEqual(record);
    expect(AgentRecordSchema.safeParse({ ...record, registeredAt: 'yesterday' }).success).toBe(
      false,
    );
  });

  it('name one control action per request', () => {
    expect(GatewayControlRpc.request.parse({ action: 'disconnect', agentId: 'a-1' })).toEqual({
      action: 'disconnect',
      agentId: 'a-1',
    });
    expect(GatewayControlRpc.request.safeParse({ action: 'reboot' }).success).toBe(false);
  });
});
