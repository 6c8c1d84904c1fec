import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type SecurityEvent, SecurityEventSchema } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// A tool call over /mcp that the caller's grants refuse is a `forbidden` security event: MCP
// calls are answered by the registry itself, not through a bus reply.

let mesh: ToolMesh;
let url: string;
const received: SecurityEvent[] = [];

beforeAll(async () => {
  mesh = await createToolMesh();
  await mesh.startGateway('gw-a');
  const registry = await mesh.startRegistry();
  url = `http://127.0.0.1:${registry.port}/mcp`;
  const provider = await mesh.agent('gw-a', 'secret-provider');
  await provider.tools.provide(
    { name: 'secret.read', version: '1.0.0', inputSchema: { type: 'object' } },
    () => 'the secret',
  );
  await mesh.bus.consumeEvents({
    filterSubject: mesh.bus.subjects.event('security', 'forbidden'),
    schema: SecurityEventSchema,
    handler: async ({ payload }) => {
      received.push(payload);
    },
  });
}, 60_000);
afterAll(() => mesh?.stop());

describe('/mcp security events', () => {
  it('records a tool call the caller has no grant for as forbidden, with its principal', async () => {
    const token = await mesh.key([{ kind: 'tool', names: ['math.*'], actions: ['list', 'call'] }]);
    const client = new Client(
      { name: 'security-test', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await expect(client.callTool({ name: 'secret.read', arguments: {} })).rejects.toThrow(
      /secret\.read/,
    );
    await client.close();
    await waitFor(() => received.length > 0, { what: 'the forbidden event' });
    expect(received[0]).toMatchObject({
      kind: 'forbidden',
      service: 'tools',
      path: '/mcp tools/call secret.read',
      code: 'E_FORBIDDEN',
      principal: expect.stringMatching(/^key:/),
    });
  });
});
