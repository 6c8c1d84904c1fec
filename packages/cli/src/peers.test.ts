import { A2A_LABEL, A2A_PUBLIC } from '@switchboard/protocol';
import {
  type AgentCardServer,
  createAgentKey,
  type ServiceProcess,
  serveAgentCard,
  spawnService,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import {
  agentOf,
  connectAgent,
  type TestAgent,
} from '../../../apps/gateway/src/test/agent-client.ts';
import { latencyOf } from './commands/peers.ts';
import { cliAgainst } from './test-cli.ts';

// `peers` and `agents find` against the operator API served in process, a real a2a-peer process
// (and a tool registry, where `--publish-tools` puts a peer's skills), a remote agent's card
// server, and a local agent published over A2A.

let gateway: OperatorGateway;
let peerService: ServiceProcess;
let registry: ServiceProcess;
let remote: AgentCardServer;
let local: TestAgent;
const sb = cliAgainst(() => gateway);

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
  peerService = await spawnService('a2a-peer', {
    ...gateway.context.env,
    SB_LOG__LEVEL: 'warn',
    SB_A2A__PORT: '0',
    SB_A2A__PEERS__ALLOW_PRIVATE: 'true',
    SB_A2A__AGENT_CACHE_TTL_MS: '0',
  });
  registry = await spawnService('tool-registry', {
    ...gateway.context.env,
    SB_LOG__LEVEL: 'warn',
    SB_TOOLS__PORT: '0',
  });
  remote = await serveAgentCard({ name: 'Translator', skills: ['translate', 'detect'] });
  const token = await createAgentKey(gateway.port, gateway.adminToken, []);
  local = agentOf(await connectAgent(gateway.port, { token }));
  const registered = await local.handshake({
    id: 'cli-local',
    name: 'Local summarizer',
    version: '1.0.0',
    description: 'Summarizes text',
    capabilities: [{ name: 'summarize' }],
    labels: { [A2A_LABEL]: A2A_PUBLIC },
  });
  expect(registered).toMatchObject({ type: 'result' });
}, 60_000);
afterAll(async () => {
  local?.socket.close();
  await remote?.close();
  await Promise.all([peerService?.stop(), registry?.stop()]);
  await gateway?.stop();
});

describe('peers', () => {
  it('adds, lists, shows and removes a peer', async () => {
    const added = await sb(['peers', 'add', 'translator', remote.baseUrl, '--token', 's3cret']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      `added translator: Translator 1.0.0 at ${remote.baseUrl}/jsonrpc (card unsigned, 2 skills, up)`,
    );

    const listed = await sb(['peers', 'ls']);
    expect(listed.stdout).toMatch(/^NAME\s+STATUS\s+LATENCY\s+LAST SEEN\s+CARD\s+SKILLS\s+AGENT$/m);
    expect(listed.stdout).toMatch(/translator\s+up\s+\d+ ms\s+\S+\s+unsigned\s+translate,detect/);
    const down = await sb(['peers', 'ls', '--status', 'down', '--json']);
    expect(JSON.parse(down.stdout)).toEqual([]);

    const shown = await sb(['peers', 'show', 'translator']);
    expect(shown.stdout).toContain(`${remote.cardUrl} (unsigned)`);
    expect(shown.stdout).toMatch(/skill translate:\s+does translate \[remote\]/);
    expect(shown.stdout).toContain('not published');
    expect(shown.stdout).not.toContain('s3cret');
    const json = JSON.parse((await sb(['--json', 'peers', 'show', 'translator'])).stdout);
    expect(json).toMatchObject({ name: 'translator', streaming: true, publishTools: false });

    const removed = await sb(['peers', 'rm', 'translator']);
    expect(removed.stdout.trim()).toBe('removed translator');
    const again = await sb(['peers', 'rm', 'translator']);
    expect(again.stdout.trim()).toBe('translator: there was no such peer');
    const missing = await sb(['peers', 'show', 'translator']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^E_NOT_FOUND: /);
  });

  it('reports an unreachable peer and refuses an unknown status', async () => {
    const gone = await serveAgentCard({ name: 'Gone', skills: [] });
    await gone.close();
    const unreachable = await sb(['peers', 'add', 'gone', gone.baseUrl]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^E_UNAVAILABLE: /);
    const badStatus = await sb(['peers', 'ls', '--status', 'sideways']);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toContain('Allowed choices are unknown, up, degraded, down');
  });

  it('shows latency in whole milliseconds, or - before any check', () => {
    expect(latencyOf(null)).toBe('-');
    expect(latencyOf(12.6)).toBe('13 ms');
  });
});

describe('agents find', () => {
  it('finds local and remote agents by skill, tag, kind and words', async () => {
    const added = await sb(['--json', 'peers', 'add', 'finder', remote.cardUrl, '--publish-tools']);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'finder', publishTools: true });
    const tools = await sb(['tools', 'ls']);
    expect(tools.stdout).toMatch(/a2a\.finder\.translate/);
    const all = await sb(['agents', 'find']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ADDRESS\s+KIND\s+STATUS\s+NAME\s+SKILLS\s+DESCRIPTION$/m);
    expect(all.stdout).toMatch(/cli-local\s+local\s+connected\s+Local summarizer\s+summarize/);
    expect(all.stdout).toMatch(/a2a:finder\s+remote\s+up\s+Translator\s+translate,detect/);

    const bySkill = await sb(['--json', 'agents', 'find', '--skill', 'translate']);
    expect(JSON.parse(bySkill.stdout).map((entry: { address: string }) => entry.address)).toEqual([
      'a2a:finder',
    ]);
    const local = await sb(['--json', 'agents', 'find', '--kind', 'local']);
    expect(JSON.parse(local.stdout).map((entry: { address: string }) => entry.address)).toEqual([
      'cli-local',
    ]);
    const byWords = await sb(['--json', 'agents', 'find', '--q', 'summarizes']);
    expect(JSON.parse(byWords.stdout)).toHaveLength(1);
    const byStatus = await sb(['--json', 'agents', 'find', '--status', 'down', '--tag', 'remote']);
    expect(JSON.parse(byStatus.stdout)).toEqual([]);
    const badKind = await sb(['agents', 'find', '--kind', 'elsewhere']);
    expect(badKind.code).toBe(1);
  });
});
