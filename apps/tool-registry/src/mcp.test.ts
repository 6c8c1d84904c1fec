import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Grant } from '@switchboard/authz';
import { ToolsGroupSetRpc } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// The official MCP clients of both revisions against two registry replicas, each request sent
// to the other replica than the one before: nothing may depend on which replica answers.

let mesh: ToolMesh;
let urls: string[];

beforeAll(async () => {
  mesh = await createToolMesh();
  await mesh.startGateway('gw-a');
  const registryEnv = {
    SB_TOOLS__MCP__PAGE_SIZE: '2',
    SB_TOOLS__MCP__RATE_LIMIT__CAPACITY: '40',
    SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: '0.01',
  };
  const registries = await Promise.all([
    mesh.startRegistry(registryEnv),
    mesh.startRegistry(registryEnv),
  ]);
  urls = registries.map((registry) => `http://127.0.0.1:${registry.port}/mcp`);
  const provider = await mesh.agent('gw-a', 'mcp-provider');
  await provider.tools.provide(
    {
      name: 'math.add',
      version: '1.0.0',
      description: 'Adds two numbers',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
      outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
    },
    (args) => ({ sum: Number(args.a) + Number(args.b) }),
  );
  for (const name of ['text.upper', 'text.lower', 'secret.tool']) {
    await provider.tools.provide(
      { name, version: '1.0.0', inputSchema: { type: 'object' } },
      () => name,
    );
  }
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

/** Grants of an MCP caller; `marker` gives each test its own key (and rate-limit bucket). */
const callerGrants = (
  marker: string,
  actions: Array<'list' | 'call'> = ['list', 'call'],
): Grant[] => [
  { kind: 'tool', names: ['math.*', 'text.*'], actions },
  { kind: 'publish', topics: [`marker.${marker}`] },
];

/** A fetch that sends each request to the next replica in turn, and counts them. */
function alternating(query = '') {
  const served = urls.map(() => 0);
  let next = 0;
  const fetchNext = (input: string | URL | Request, init?: RequestInit) => {
    const index = next;
    next = (next + 1) % urls.length;
    served[index] = (served[index] ?? 0) + 1;
    const target = `${urls[index] as string}${query}`;
    return fetch(input instanceof Request ? new Request(target, input) : target, init);
  };
  return { fetch: fetchNext, served };
}

async function modernClient(
  token: string,
  options: ConstructorParameters<typeof Client>[1] = {},
  query = '',
) {
  const rotation = alternating(query);
  const client = new Client(
    { name: 'modern-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, ...options },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(urls[0] as string), {
      fetch: rotation.fetch,
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return { client, served: rotation.served };
}

async function legacyClient(token: string) {
  const rotation = alternating();
  const client = new LegacyClient({ name: 'legacy-test', version: '1.0.0' });
  const transport = new LegacyTransport(new URL(urls[0] as string), {
    fetch: rotation.fetch,
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport, served: rotation.served };
}

describe('MCP revision 2026-07-28 (official v2 client)', () => {
  it('lists the tools the caller may list, page by page, and calls one an SDK agent provides', async () => {
    const { client, served } = await modernClient(await mesh.key(callerGrants('modern')));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    // Pages of two (SB_TOOLS__MCP__PAGE_SIZE): the v2 client follows nextCursor itself.
    const listed = await client.listTools();
    expect(listed.tools.map((tool) => tool.name)).toEqual([
      'search_tools',
      'math.add',
      'text.lower',
      'text.upper',
    ]);
    expect(listed.tools[1]?._meta).toMatchObject({ 'io.switchboard/version': '1.0.0' });
    const result = await client.callTool({ name: 'math.add', arguments: { a: 2, b: 3 } });
    expect(result.structuredContent).toEqual({ sum: 5 });
    expect(result.isError).toBeFalsy();
    expect(served.every((count) => count > 0)).toBe(true);
    await client.close();
  });

  it('refuses a forbidden call and answers bad arguments with the failing path', async () => {
    const { client } = await modernClient(await mesh.key(callerGrants('modern-deny', ['list'])));
    await expect(
      client.callTool({ name: 'math.add', arguments: { a: 1, b: 2 } }),
    ).rejects.toMatchObject({
      code: -32003,
    });
    await expect(client.callTool({ name: 'secret.tool', arguments: {} })).rejects.toMatchObject({
      code: -32003,
    });
    const { client: allowed } = await modernClient(await mesh.key(callerGrants('modern-args')));
    const bad = await allowed.callTool({ name: 'math.add', arguments: { a: 1 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('E_VALIDATION');
    expect(JSON.stringify(bad.content)).toContain('/b');
    await client.close();
    await allowed.close();
  });

  it('tells a connected client when the catalog changes', async () => {
    const changes: string[][] = [];
    const { client } = await modernClient(await mesh.key(callerGrants('modern-listen')), {
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (error === null && tools !== null) changes.push(tools.map((tool) => tool.name));
          },
        },
      },
    });
    const late = await mesh.agent('gw-a', 'mcp-late');
    await late.tools.provide(
      { name: 'text.reverse', version: '1.0.0', inputSchema: { type: 'object' } },
      () => 'esrever',
    );
    await waitFor(() => changes.some((names) => names.includes('text.reverse')), {
      timeoutMs: 15_000,
    });
    await client.close();
  });
});

describe('finding tools among many', () => {
  it('search_tools ranks the tools the caller may see', async () => {
    const { client } = await modernClient(await mesh.key(callerGrants('search')));
    const found = await client.callTool({
      name: 'search_tools',
      arguments: { query: 'add two numbers' },
    });
    const tools = (found.structuredContent as { tools: Array<{ name: string }> }).tools;
    expect(tools[0]?.name).toBe('math.add');
    expect(tools.map((tool) => tool.name)).not.toContain('secret.tool');
    await client.close();
  });

  it('a group URL lists only the tools of that group', async () => {
    await mesh.call(ToolsGroupSetRpc, { name: 'texts', tools: ['text.*'] });
    const { client } = await modernClient(
      await mesh.key(callerGrants('group')),
      {},
      '?group=texts',
    );
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names[0]).toBe('search_tools');
    expect(names).toEqual(expect.arrayContaining(['text.lower', 'text.upper']));
    expect(names.every((name) => name === 'search_tools' || name.startsWith('text.'))).toBe(true);
    await client.close();
  });
});

describe('MCP revision 2025-11-25 (official v1 client, initialize)', () => {
  it('initializes without a session id, lists a page and calls a tool across replicas', async () => {
    const { client, transport, served } = await legacyClient(
      await mesh.key(callerGrants('legacy')),
    );
    expect(transport.sessionId).toBeUndefined();
    const page = await client.listTools();
    expect(page.tools.map((tool) => tool.name)).toEqual(['search_tools', 'math.add', 'text.lower']);
    expect(page.nextCursor).toBeDefined();
    const result = await client.callTool({ name: 'math.add', arguments: { a: 20, b: 22 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
    const bad = await client.callTool({ name: 'math.add', arguments: { a: 'x', b: 1 } });
    expect(bad.isError).toBe(true);
    expect(served.every((count) => count > 0)).toBe(true);
    await client.close();
  });

  it('refuses a forbidden call', async () => {
    const { client } = await legacyClient(await mesh.key(callerGrants('legacy-deny', ['list'])));
    await expect(client.callTool({ name: 'math.add', arguments: { a: 1, b: 2 } })).rejects.toThrow(
      /no tool grant to call math\.add@1\.0\.0/,
    );
    await client.close();
  });
});

describe('the /mcp endpoint', () => {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1.0.0' },
    },
  };
  const post = (token: string | undefined) =>
    fetch(urls[1] as string, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(initialize),
    });

  it('refuses a request without a valid bearer token with a challenge', async () => {
    const missing = await post(undefined);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post('sb_not_a_real_key')).status).toBe(401);
  });

  it('limits each credential to its bucket, with Retry-After', async () => {
    const token = await mesh.key(callerGrants('flood'));
    let refused: Response | undefined;
    for (let index = 0; index < 60 && refused === undefined; index += 1) {
      const response = await post(token);
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another credential still gets through.
    expect((await post(await mesh.key(callerGrants('calm')))).status).toBe(200);
  });
});
