import {
  type ToolDefinitionInput,
  ToolsDeprecateRpc,
  ToolsRetireRpc,
  ToolsVersionsRpc,
} from '@switchboard/protocol';
import type { AgentClient } from '@switchboard/sdk';
import { agentPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTools, createToolMesh, type ToolMesh } from './test-mesh.ts';

// Agents on two gateway processes, two registry replicas, the real SDK: what users see.

let mesh: ToolMesh;

beforeAll(async () => {
  mesh = await createToolMesh();
  await Promise.all([mesh.startGateway('gw-a'), mesh.startGateway('gw-b')]);
  await Promise.all([mesh.startRegistry(), mesh.startRegistry()]);
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

const adder = (
  version = '1.0.0',
  extra: Partial<ToolDefinitionInput> = {},
): ToolDefinitionInput => ({
  name: 'math.add',
  version,
  description: 'Adds two numbers',
  inputSchema: {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { sum: { type: 'number' } },
    required: ['sum'],
  },
  tags: ['math'],
  ...extra,
});

const add = (args: Record<string, unknown>) => ({ sum: Number(args.a) + Number(args.b) });

describe('registering tools', () => {
  it('creates a version, adds a second agent with the same definition as a provider, refuses a different one', async () => {
    const first = await mesh.agent('gw-a', 'reg-first');
    const second = await mesh.agent('gw-b', 'reg-second');
    const third = await mesh.agent('gw-b', 'reg-third');
    const tool = adder('1.0.0', { name: 'reg.add' });
    await expect(first.tools.provide(tool, add)).resolves.toMatchObject({ outcome: 'created' });
    // Same promise written in another key order: the same definition.
    const reordered = { ...tool, tags: ['math'], description: 'Adds two numbers' };
    await expect(second.tools.provide(reordered, add)).resolves.toMatchObject({
      outcome: 'provider_added',
    });
    await expect(
      third.tools.provide({ ...tool, description: 'Adds numbers, differently' }, add),
    ).rejects.toMatchObject({ code: 'E_CONFLICT' });
    const record = await first.tools.get('reg.add');
    expect(
      record.providers.map((provider) => provider.kind === 'agent' && provider.agentId),
    ).toEqual(['reg-first', 'reg-second']);
  });

  it('refuses a schema that is not a JSON Schema of an object, and an agent without the provide grant', async () => {
    const agent = await mesh.agent('gw-a', 'reg-bad-schema');
    await expect(
      agent.tools.provide(
        adder('1.0.0', { name: 'reg.broken', inputSchema: { type: 'object', properties: 5 } }),
        add,
      ),
    ).rejects.toMatchObject({ code: 'E_VALIDATION', details: { path: 'tools.0.inputSchema' } });
    await expect(
      agent.tools.provide(
        adder('1.0.0', { name: 'reg.array', inputSchema: { type: 'array' } }),
        add,
      ),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
    const caller = await mesh.agent('gw-a', 'reg-caller-only', [
      { kind: 'tool', names: ['>'], actions: ['list', 'call'] },
    ]);
    await expect(
      caller.tools.provide(adder('1.0.0', { name: 'reg.nope' }), add),
    ).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });
});

describe('calling tools', () => {
  let provider: AgentClient;
  let caller: AgentClient;

  beforeAll(async () => {
    provider = await mesh.agent('gw-b', 'call-provider');
    caller = await mesh.agent('gw-a', 'call-caller');
    await provider.tools.provide(adder('1.0.0'), add);
  });

  it('calls a tool provided by an agent on another gateway', async () => {
    // Twice: both registry replicas answer over the queue group.
    for (const b of [2, 3]) {
      await expect(caller.tools.call('math.add', { a: 1, b })).resolves.toEqual({
        name: 'math.add',
        version: '1.0.0',
        result: { sum: 1 + b },
      });
    }
  });

  it('refuses arguments that break the input schema, naming the failing path', async () => {
    await expect(caller.tools.call('math.add', { a: 1 })).rejects.toMatchObject({
      code: 'E_VALIDATION',
      details: { path: '/b' },
    });
    await expect(caller.tools.call('math.add', { a: 1, b: 'two' })).rejects.toMatchObject({
      code: 'E_VALIDATION',
      details: { path: '/b' },
    });
  });

  it('refuses a result that breaks the output schema', async () => {
    await provider.tools.provide(adder('1.0.1'), () => ({ total: 3 }));
    await expect(
      caller.tools.call('math.add', { a: 1, b: 2 }, { version: '1.0.1' }),
    ).rejects.toMatchObject({
      code: 'E_INTERNAL',
      details: { path: '/sum' },
    });
  });

  it("passes the tool's own failure on with its code", async () => {
    await provider.tools.provide(
      { name: 'math.fail', version: '1.0.0', inputSchema: { type: 'object' } },
      () => {
        throw new Error('division by zero');
      },
    );
    await expect(caller.tools.call('math.fail')).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: expect.stringContaining('division by zero'),
    });
  });

  it('answers E_UNAVAILABLE when no provider is connected, E_NOT_FOUND for an unknown tool', async () => {
    const gone = await mesh.agent('gw-a', 'call-gone');
    await gone.tools.provide(
      { name: 'gone.tool', version: '1.0.0', inputSchema: { type: 'object' } },
      () => 1,
    );
    await gone.close();
    await waitFor(async () => {
      const failure = await caller.tools.call('gone.tool').catch((error: unknown) => error);
      return (failure as { code?: string }).code === 'E_UNAVAILABLE';
    });
    await expect(caller.tools.call('no.such.tool')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('spreads calls over the agents that provide the same tool', async () => {
    const seen: string[] = [];
    const spread = { name: 'spread.echo', version: '1.0.0', inputSchema: { type: 'object' } };
    for (const [gatewayId, agentId] of [
      ['gw-a', 'spread-1'],
      ['gw-b', 'spread-2'],
    ] as const) {
      const agent = await mesh.agent(gatewayId, agentId);
      await agent.tools.provide(spread, () => {
        seen.push(agentId);
        return agentId;
      });
    }
    for (let index = 0; index < 6; index += 1) await caller.tools.call('spread.echo');
    expect(new Set(seen)).toEqual(new Set(['spread-1', 'spread-2']));
  });

  it('times out a provider that does not answer in time', async () => {
    await provider.tools.provide(
      { name: 'slow.tool', version: '1.0.0', inputSchema: { type: 'object' } },
      (_args, context) =>
        new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(null))),
    );
    await expect(caller.tools.call('slow.tool', {}, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
    });
  });

  it('fails a call at once when its provider disconnects mid-call', async () => {
    const leaving = await mesh.agent('gw-b', 'call-leaving');
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    await leaving.tools.provide(
      { name: 'leaving.tool', version: '1.0.0', inputSchema: { type: 'object' } },
      () => {
        started();
        return new Promise(() => undefined);
      },
    );
    // A long timeout: only the disconnect can end this call before the test does.
    const call = caller.tools.call('leaving.tool', {}, { timeoutMs: 120_000 });
    const failure = call.catch((error: unknown) => error);
    await running;
    await leaving.close();
    await expect(failure).resolves.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: expect.stringContaining('disconnected'),
    });
  }, 15_000);
});

describe('versions', () => {
  let caller: AgentClient;

  beforeAll(async () => {
    const provider = await mesh.agent('gw-a', 'ver-provider');
    caller = await mesh.agent('gw-b', 'ver-caller');
    for (const version of ['1.0.0', '1.2.0', '1.10.0', '2.0.0-beta.1', '0.9.0']) {
      await provider.tools.provide(
        { name: 'ver.tool', version, inputSchema: { type: 'object' } },
        (_args, context) => context.version,
      );
    }
  });

  it('resolves ranges as semver: latest stable by default, prereleases only when asked', async () => {
    const versionOf = async (range?: string) =>
      (await caller.tools.call('ver.tool', {}, range === undefined ? {} : { version: range }))
        .result;
    expect(await versionOf()).toBe('1.10.0');
    expect(await versionOf('~1.2')).toBe('1.2.0');
    expect(await versionOf('<1.0.0')).toBe('0.9.0');
    expect(await versionOf('>=2.0.0-0')).toBe('2.0.0-beta.1');
    await expect(versionOf('^3')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(versionOf('newest')).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });

  it('does not pick a deprecated version by default; a retired one not at all; history keeps both', async () => {
    await mesh.call(ToolsDeprecateRpc, { name: 'ver.tool', version: '1.10.0', reason: 'use 1.2' });
    expect((await caller.tools.call('ver.tool')).result).toBe('1.2.0');
    expect((await caller.tools.call('ver.tool', {}, { version: '1.10.0' })).result).toBe('1.10.0');
    await mesh.call(ToolsRetireRpc, { name: 'ver.tool', version: '0.9.0' });
    await expect(caller.tools.call('ver.tool', {}, { version: '0.9.0' })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    const history = await mesh.call(ToolsVersionsRpc, { name: 'ver.tool' });
    expect(history.items.map((item) => [item.version, item.status])).toEqual([
      ['2.0.0-beta.1', 'active'],
      ['1.10.0', 'deprecated'],
      ['1.2.0', 'active'],
      ['1.0.0', 'active'],
      ['0.9.0', 'retired'],
    ]);
    expect(history.items[1]?.deprecationReason).toBe('use 1.2');
  });

  it('lets only operators with tools:write deprecate or retire', async () => {
    await expect(
      mesh.call(
        ToolsRetireRpc,
        { name: 'ver.tool', version: '1.0.0' },
        agentPrincipal('ver-caller', allTools),
      ),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });
});

describe('access control', () => {
  it('refuses a call the grants do not cover, by name and by version range', async () => {
    const provider = await mesh.agent('gw-a', 'acl-provider');
    for (const version of ['1.0.0', '2.0.0']) {
      await provider.tools.provide(
        { name: 'acl.secret', version, inputSchema: { type: 'object' } },
        () => 'secret',
      );
    }
    await provider.tools.provide(
      { name: 'acl.public', version: '1.0.0', inputSchema: { type: 'object' } },
      () => 'public',
    );
    const limited = await mesh.agent('gw-b', 'acl-limited', [
      { kind: 'tool', names: ['acl.public'], actions: ['list', 'call'] },
      { kind: 'tool', names: ['acl.secret'], actions: ['list'] },
      { kind: 'tool', names: ['acl.secret'], actions: ['call'], versions: '^1' },
    ]);
    await expect(limited.tools.call('acl.public')).resolves.toMatchObject({ result: 'public' });
    // The default (2.0.0) is outside its call range; 1.x is inside.
    await expect(limited.tools.call('acl.secret', {}, { version: '2.0.0' })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining('acl.secret@2.0.0'),
    });
    await expect(limited.tools.call('acl.secret')).resolves.toMatchObject({ version: '1.0.0' });
    const stranger = await mesh.agent('gw-b', 'acl-stranger', [
      { kind: 'tool', names: ['acl.public'], actions: ['call'] },
    ]);
    await expect(stranger.tools.call('acl.secret')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(stranger.tools.get('acl.secret')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const listed = await limited.tools.list();
    expect(listed.items.map((item) => `${item.name}@${item.version}`)).toEqual([
      'acl.public@1.0.0',
      'acl.secret@2.0.0',
    ]);
    expect((await stranger.tools.list()).items).toEqual([]);
  });
});
