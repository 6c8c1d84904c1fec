import { createHash } from 'node:crypto';
import { type ServiceProcess, spawnService } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The operator API as the gateway serves it, in process (its own namespace and database).
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import { connectAgent } from '../../../apps/gateway/src/test/agent-client.ts';
import { runCli } from './cli.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;

const sb = cliAgainst(() => gateway);

/** Runs the CLI with no gateway and no key at all. */
async function offline(args: string[]) {
  let stdout = '';
  const code = await runCli(args, {
    env: {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => undefined,
  });
  return { code, stdout };
}

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
});
afterAll(async () => {
  await gateway?.stop();
});

describe('keys bootstrap', () => {
  it('prints a new admin key and its SHA-256 without any gateway', async () => {
    const first = await offline(['keys', 'bootstrap', '--json']);
    const second = await offline(['keys', 'bootstrap', '--json']);
    expect([first.code, second.code]).toEqual([0, 0]);
    const printed = JSON.parse(first.stdout) as { token: string; sha256: string };
    expect(printed.token).toMatch(/^sbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(printed.sha256).toBe(createHash('sha256').update(printed.token).digest('hex'));
    expect((JSON.parse(second.stdout) as { token: string }).token).not.toBe(printed.token);

    const forPeople = await offline(['keys', 'bootstrap']);
    expect(forPeople.stdout).toMatch(/SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256=[0-9a-f]{64}/);
    expect(forPeople.stdout).toMatch(/export SB_API_KEY=sbk_/);
  });
});

describe('keys', () => {
  it('creates, lists, shows and revokes a key', async () => {
    const created = await sb([
      'keys',
      'create',
      '--name',
      'ci bot',
      '--role',
      'observer',
      '--scope',
      'agents:write',
      '--agent',
      'builder',
      '--json',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { token, key } = JSON.parse(created.stdout) as { token: string; key: { id: string } };
    expect(key).toMatchObject({
      name: 'ci bot',
      roles: ['observer'],
      agentIds: ['builder'],
      grants: [{ kind: 'operator', scopes: ['agents:write'] }],
    });

    const people = await sb(['keys', 'create', '--name', 'people']);
    expect(people.stdout).toMatch(/^token: sbk_/m);
    expect(people.stderr).toContain('shown only now');

    const listed = await sb(['keys', 'ls']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+ROLES\s+AGENTS\s+CREATED$/);
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).not.toContain(token);

    const page = await sb(['keys', 'ls', '--limit', '1', '--json']);
    const parsed = JSON.parse(page.stdout) as { items: unknown[]; nextCursor: string };
    expect(parsed.items).toHaveLength(1);
    const onePage = await sb(['keys', 'ls', '--limit', '1']);
    expect(onePage.stderr).toBe(`more: --cursor ${parsed.nextCursor}\n`);
    const next = await sb(['keys', 'ls', '--limit', '1', '--cursor', parsed.nextCursor, '--json']);
    expect(JSON.parse(next.stdout)).toMatchObject({ items: [{ name: 'ci bot' }] });

    const shown = await sb(['keys', 'show', key.id]);
    expect(shown.stdout).toMatch(new RegExp(`^id:\\s+${key.id}$`, 'm'));
    expect(shown.stdout).toMatch(/^status:\s+active$/m);

    const revoked = await sb(['keys', 'revoke', key.id]);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked ${key.id} \\(ci bot\\)`));
    expect((await sb(['keys', 'ls'])).stdout).not.toContain(key.id);
    expect((await sb(['keys', 'ls', '--all'])).stdout).toMatch(new RegExp(`${key.id}.*revoked`));
    const refused = await sb(['agents', 'ls'], token);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^E_UNAUTHORIZED: API key [0-9a-f]+ was revoked/);
  });
});

describe('errors', () => {
  it('prints the code and the reason, and exits 1', async () => {
    const created = await sb([
      'keys',
      'create',
      '--name',
      'viewer',
      '--role',
      'observer',
      '--json',
    ]);
    const { token, key } = JSON.parse(created.stdout) as { token: string; key: { id: string } };
    const forbidden = await sb(['keys', 'revoke', key.id], token);
    expect(forbidden).toEqual({
      code: 1,
      stdout: '',
      stderr: `E_FORBIDDEN: principal key:${key.id} has no operator grant with scope keys:write\n`,
    });
    const missing = await sb(['agents', 'show', 'nobody']);
    expect(missing.stderr).toBe('E_NOT_FOUND: no agent nobody in the catalog\n');
    const noKey = await sb(['keys', 'ls'], '');
    expect(noKey.stderr).toMatch(/^E_UNAUTHORIZED: no API key: set SB_API_KEY/);
    const unreachable = await runCli(['keys', 'ls', '--url', 'http://127.0.0.1:1'], {
      env: { SB_API_KEY: 'x' },
      stdout: () => undefined,
      stderr: (text) => {
        expect(text).toMatch(/^E_UNAVAILABLE: cannot reach the gateway at http:\/\/127\.0\.0\.1:1/);
      },
    });
    expect(unreachable).toBe(1);
    const usages: Array<[string[], string]> = [
      [['agents', 'ls', '--status', 'asleep'], 'use connected or disconnected'],
      [['agents', 'ls', '--label', 'team'], 'use key=value'],
      [['keys', 'ls', '--limit', '0'], 'use a whole number above 0'],
      [['keys', 'create', '--name', 'x', '--grant', '{nope'], 'not JSON: {nope'],
      [['keys', 'create', '--name', 'x', '--scope', 'keys:delete'], 'use one of agents:read'],
      [['keys', 'create'], "required option '--name <name>' not specified"],
    ];
    for (const [args, message] of usages) {
      const usage = await sb(args);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toContain(message);
    }
  });
});

describe('agents', () => {
  it('lists, shows and disconnects an agent', async () => {
    const created = await sb(['keys', 'create', '--name', 'agent', '--agent', '*', '--json']);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const attempt = await connectAgent(gateway.port, { token });
    if (!('agent' in attempt)) throw new Error(attempt.body);
    await attempt.agent.handshake({
      id: 'cli-agent',
      name: 'Cli',
      version: '3',
      capabilities: [{ name: 'plan' }],
      labels: { team: 'ops' },
    });
    const listed = await sb(['agents', 'ls', '--capability', 'plan', '--label', 'team=ops']);
    expect(listed.stdout).toMatch(/^cli-agent\s+Cli\s+3\s+connected\s+plan\s+team=ops\s+gw-/m);
    const none = await sb(['agents', 'ls', '--status', 'disconnected', '--json']);
    expect(JSON.parse(none.stdout)).toEqual({ items: [], nextCursor: null });
    const shown = await sb(['agents', 'show', 'cli-agent']);
    expect(shown.stdout).toMatch(/^capabilities:\s+plan$/m);
    const disconnected = await sb(['agents', 'disconnect', 'cli-agent']);
    expect(disconnected.stdout).toBe(
      `cli-agent: closed its connection on gateway ${gateway.gatewayId}\n`,
    );
    expect((await attempt.agent.closed).code).toBe(4004);
    const again = await sb(['agents', 'disconnect', 'cli-agent', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ agentId: 'cli-agent' });
    const shownJson = await sb(['agents', 'show', 'cli-agent', '--json']);
    expect(JSON.parse(shownJson.stdout)).toMatchObject({ id: 'cli-agent', name: 'Cli' });
  });
});

describe('config', () => {
  it('gets, sets and unsets a setting', async () => {
    const key = 'gateway.connections.maxBadFrames';
    const got = await sb(['config', 'get', 'gateway', key]);
    expect(got.stdout).toMatch(new RegExp(`^${key}\\s+20\\s+default\\s+yes`, 'm'));
    const set = await sb(['config', 'set', 'gateway', key, '9']);
    expect(set.stdout).toBe(`${key} = 9 (override)\n`);
    const json = await sb(['config', 'get', 'gateway', key, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ settings: [{ key, value: 9 }] });
    const unset = await sb(['config', 'unset', 'gateway', key]);
    expect(unset.stdout).toBe(`${key} = 20 (default)\n`);
    const unsetAgain = await sb(['config', 'unset', 'gateway', key]);
    expect(unsetAgain.stdout).toBe(`${key} = 20 (default) (there was no override)\n`);
    const setJson = await sb(['config', 'set', 'gateway', key, '11', '--json']);
    expect(JSON.parse(setJson.stdout)).toMatchObject({ setting: { value: 11 } });
    const unsetJson = await sb(['config', 'unset', 'gateway', key, '--json']);
    expect(JSON.parse(unsetJson.stdout)).toMatchObject({ removed: true });
    const bad = await sb(['config', 'set', 'gateway', key, 'lots']);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^E_VALIDATION: /) });
  });
});

describe('state', () => {
  let state: ServiceProcess | undefined;
  beforeAll(async () => {
    state = await spawnService('state', { ...gateway.context.env, SB_STATE__PORT: '0' });
  });
  afterAll(async () => {
    await state?.stop();
  });

  it('puts and gets a document, refusing a stale version with its code', async () => {
    const created = await sb([
      'state',
      'put',
      'agent:planner-1',
      'plan',
      '{"steps":["a"]}',
      '--expected-version',
      '0',
    ]);
    expect(created).toMatchObject({
      code: 0,
      stdout: 'agent:planner-1 plan is now at version 1\n',
    });
    const replaced = await sb(
      ['state', 'put', 'agent:planner-1', 'plan', '{"steps":["a","b"]}'].concat([
        '--expected-version',
        '1',
        '--json',
      ]),
    );
    expect(JSON.parse(replaced.stdout)).toMatchObject({ version: 2 });

    const got = await sb(['state', 'get', 'agent:planner-1', 'plan']);
    expect(got.stdout).toMatch(/^scope:\s+agent:planner-1$/m);
    expect(got.stdout).toMatch(/^version:\s+2$/m);
    expect(got.stdout).toContain('"b"');
    const json = await sb(['state', 'get', 'agent:planner-1', 'plan', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 2, document: { steps: ['a', 'b'] } });

    const stale = await sb([
      'state',
      'put',
      'agent:planner-1',
      'plan',
      '{}',
      '--expected-version',
      '1',
    ]);
    expect(stale).toMatchObject({ code: 1, stderr: expect.stringMatching(/^E_CONFLICT: /) });
    const missing = await sb(['state', 'get', 'agent:planner-1', 'nothing']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^E_NOT_FOUND: /) });
  });

  it('lists the history a page at a time', async () => {
    await sb(['state', 'put', 'team.cli', 'notes', '"one"', '--expected-version', '0']);
    await sb(['state', 'put', 'team.cli', 'notes', '"two"', '--expected-version', '1']);
    const first = await sb(['state', 'history', 'team.cli', 'notes', '--limit', '1']);
    expect(first.stdout.split('\n')[0]).toMatch(/^VERSION\s+OP\s+AT\s+BY\s+DOCUMENT$/);
    expect(first.stdout).toMatch(/^2\s+put\s+\S+\s+\S+\s+two$/m);
    expect(first.stderr).toBe('more: --cursor 2\n');
    const all = await sb(['state', 'history', 'team.cli', 'notes', '--cursor', '2', '--json']);
    expect(JSON.parse(all.stdout)).toMatchObject({
      items: [{ version: 1, document: 'one' }],
      nextCursor: null,
    });
  });

  it('refuses a document that is not JSON or a negative version before calling', async () => {
    const text = await sb(['state', 'put', 'team.cli', 'x', 'hello', '--expected-version', '0']);
    expect(text).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^E_VALIDATION: give the document as JSON/),
    });
    const negative = await sb(['state', 'put', 'team.cli', 'x', '1', '--expected-version', '-1']);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('whole number from 0');
    const missing = await sb(['state', 'put', 'team.cli', 'x', '1']);
    expect(missing.stderr).toContain("required option '--expected-version <n>'");
  });
});

describe('events', () => {
  it('follows the live channel as JSON lines', async () => {
    let triggered = false;
    const result = await sb(['events', '--json', '--count', '2'], gateway.adminToken, {
      // The stats event comes first, once the stream is open: then make something happen.
      onStdout: () => {
        if (triggered) return;
        triggered = true;
        void sb(['keys', 'create', '--name', 'trigger']);
      },
    });
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; id: string | null });
    expect(events.map((event) => event.event)).toEqual(['stats', 'auth.changed']);
    expect(events[1]?.id).toMatch(/^\d+$/);
  });

  it('prints stats for people and stops cleanly when interrupted', async () => {
    const controller = new AbortController();
    const result = await sb(['events'], gateway.adminToken, {
      signal: controller.signal,
      onStdout: (text) => {
        if (text.startsWith('stats')) controller.abort();
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^stats {2}gateway \S+=\d+.* \| router E_UNAVAILABLE/m);
  });
});
