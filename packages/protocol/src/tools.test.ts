import { describe, expect, it } from 'vitest';
import { providerLabel } from './tools.ts';

describe('providerLabel', () => {
  it('names an agent, an upstream MCP server and an A2A peer as people read them', () => {
    const registeredAt = '2026-11-26T00:00:00.000Z';
    expect(providerLabel({ kind: 'agent', agentId: 'calc', registeredAt })).toBe('agent:calc');
    expect(providerLabel({ kind: 'mcp', serverId: 'github', registeredAt })).toBe('mcp:github');
    expect(providerLabel({ kind: 'a2a', peer: 'weather', registeredAt })).toBe('a2a:weather');
  });
});
