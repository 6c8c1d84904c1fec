import { createAgentKey, type ServiceProcess, spawnService, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
// The operator API as the gateway serves it, in process, with a real tool-registry process and
// a raw WebSocket agent that provides one tool.
import { registeredAgent, type TestAgent } from '../../../apps/gateway/src/test/agent-client.ts';
import { argumentsOf } from './commands/tools.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;
let registry: ServiceProcess;
let provider: TestAgent;
const sb = cliAgainst(() => gateway);

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
  registry = await spawnService('tool-registry', {
    ...gateway.context.env,
    SB_TOOLS__PORT: '0',
    SB_TOOLS__AUDIT__FLUSH_INTERVAL_MS: '20',
  });
  const token = await createAgentKey(gateway.port, gateway.adminToken, [
    { kind: 'tool', names: ['>'], actions: ['provide'] },
  ]);
  provider = await registeredAgent(gateway.port, token, 'cli-provider');
  provider.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; callId?: string; arguments?: object };
    if (frame.type === 'tool.call') {
      provider.send({
        v: 1,
        id: `r-${frame.callId}`,
        type: 'tool.result',
        callId: frame.callId,
        result: frame.arguments,
      });
    }
  });
  provider.send({
    v: 1,
    id: 'tools',
    type: 'tools.register',
    tools: [
      {
        name: 'cli.echo',
        version: '1.2.0',
        description: 'Echoes its arguments',
        inputSchema: { type: 'object' },
      },
    ],
  });
  expect(await provider.next(['result', 'error'], 'tools')).toMatchObject({ type: 'result' });
}, 60_000);
afterAll(async () => {
  provider?.socket.close();
  await registry?.stop();
  await gateway?.stop();
});

describe('tools', () => {
  it('lists, shows and calls a tool', async () => {
    const listed = await sb(['tools', 'ls']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/cli\.echo\s+1\.2\.0\s+active/);
    const shown = await sb(['tools', 'show', 'cli.echo', '--range', '^1']);
    expect(shown.stdout).toContain('agent:cli-provider');
    const called = await sb(['tools', 'call', 'cli.echo', '--args', '{"say":"hi"}']);
    expect(called.code).toBe(0);
    expect(JSON.parse(called.stdout)).toEqual({ say: 'hi' });
  });

  it('prints the audit trail, and exports it as JSON lines', async () => {
    await waitFor(async () =>
      (await sb(['tools', 'audit', '--name', 'cli.echo'])).stdout.includes('ok'),
    );
    const table = await sb(['tools', 'audit', '--name', 'cli.echo']);
    expect(table.stdout).toMatch(/agent:cli-provider/);
    const exported = await sb(['tools', 'audit', '--jsonl', '--name', 'cli.echo']);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ name: 'cli.echo', outcome: 'ok', arguments: { say: 'hi' } }),
    ]);
  });

  it('refuses to import an MCP server on a private network', async () => {
    const refused = await sb(['tools', 'import', 'http://10.0.0.5/mcp', '--name', 'inside']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^E_FORBIDDEN: .*private/);
  });

  it('wants tool arguments as a JSON object', () => {
    expect(argumentsOf(undefined)).toEqual({});
    expect(() => argumentsOf('[1]')).toThrow(/JSON object/);
  });
});
