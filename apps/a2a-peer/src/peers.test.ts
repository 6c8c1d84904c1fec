import {
  type DeliveredMessage,
  DirectorySearchRpc,
  PeerChangedEventSchema,
  PeersAddRpc,
  PeersGetRpc,
  PeersListRpc,
  PeersRemoveRpc,
  type RemoteUpdate,
  ToolsCallRpc,
  ToolsGetRpc,
} from '@switchboard/protocol';
import type { AgentClient } from '@switchboard/sdk';
import { keyPrincipal, type RemoteAgent, startRemoteAgent } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aMesh, createA2aMesh } from './test-mesh.ts';
import { quietA2aSdk } from './test-quiet-sdk.ts';

// Calling remote A2A agents: peers registered by URL (cards validated and verified), health
// tracked, local agents sending to `a2a:<peer>` and `a2a:skill:<skill>` and getting the remote
// task's updates back as messages, a restart of the a2a-peer in the middle of a remote task.

let mesh: A2aMesh;
let alpha: RemoteAgent;
let beta: RemoteAgent;
let caller: AgentClient;
const updates: DeliveredMessage[] = [];

const payloadOf = (message: DeliveredMessage) => message.payload as unknown as RemoteUpdate;
const textOf = (update: RemoteUpdate) =>
  update.message?.parts.map((part) => part.text ?? '').join('') ?? '';

async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return { value };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  quietA2aSdk();
  mesh = await createA2aMesh();
  await mesh.startPeer();
  alpha = await startRemoteAgent({ name: 'Alpha', skills: ['shout', 'hold'], sign: true });
  beta = await startRemoteAgent({ name: 'Beta', skills: ['shout'], streaming: false });
  caller = await mesh.agent('caller', {
    grants: [{ kind: 'a2a', peers: ['alpha', 'beta', 'gone'] }],
    published: false,
    capabilities: [{ name: 'calling' }],
  });
  caller.onMessage((message) => {
    updates.push(message);
  });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
  await Promise.all([alpha?.close(), beta?.close()]);
});

describe('peers', () => {
  it('registers a peer from its card, verifying its signature', async () => {
    const peer = await mesh.call(PeersAddRpc, { name: 'alpha', url: alpha.baseUrl });
    expect(peer).toMatchObject({
      name: 'alpha',
      cardUrl: alpha.cardUrl,
      agentName: 'Alpha',
      endpoint: `${alpha.baseUrl}/jsonrpc`,
      streaming: true,
      signature: 'verified',
      status: 'up',
    });
    expect(peer.skills.map((skill) => skill.id)).toEqual(['shout', 'hold']);
    const unsigned = await mesh.call(PeersAddRpc, { name: 'beta', url: beta.cardUrl });
    expect(unsigned).toMatchObject({ signature: 'unsigned', streaming: false });
    const { items } = await mesh.call(PeersListRpc, {});
    expect(items.map((item) => item.name)).toEqual(['alpha', 'beta']);
  });

  it('refuses a card whose signature does not verify, and an unreachable peer', async () => {
    const forged = await startRemoteAgent({
      name: 'Forged',
      skills: ['shout'],
      sign: true,
      tamper: true,
    });
    await expect(
      mesh.call(PeersAddRpc, { name: 'forged', url: forged.baseUrl }),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringMatching(/no signature verifies/),
    });
    await forged.close();
    await expect(
      mesh.call(PeersAddRpc, { name: 'gone', url: forged.baseUrl }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('lets only operators with peers:write register peers', async () => {
    await expect(
      mesh.call(
        PeersAddRpc,
        { name: 'alpha', url: alpha.baseUrl },
        keyPrincipal('k_reader', ['observer']),
      ),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('publishes a peer’s skills as tools that call the remote agent', async () => {
    await mesh.startToolRegistry();
    await mesh.call(PeersAddRpc, { name: 'alpha', url: alpha.baseUrl, publishTools: true });
    const tools = {
      kind: 'tool' as const,
      names: ['a2a.>'],
      actions: ['list' as const, 'call' as const],
    };
    const allowed = keyPrincipal('k_tools', [], [tools, { kind: 'a2a', peers: ['alpha'] }]);
    const tool = await mesh.bus.request(
      mesh.bus.subjects.rpc('tools', ToolsGetRpc.operation),
      ToolsGetRpc,
      { name: 'a2a.alpha.shout' },
      { principal: allowed },
    );
    expect(tool.providers).toEqual([expect.objectContaining({ kind: 'a2a', peer: 'alpha' })]);
    expect(tool.tags).toContain('a2a');
    const call = (principal: string) =>
      mesh.bus.request(
        mesh.bus.subjects.rpc('tools', ToolsCallRpc.operation),
        ToolsCallRpc,
        { name: 'a2a.alpha.shout', arguments: { text: 'as a tool' } },
        { principal, timeoutMs: 20_000 },
      );
    const answer = await call(allowed);
    expect(answer.result).toMatchObject({ state: 'completed', text: 'remote says as a tool' });
    // The registry lets the call through; the peer refuses a caller without an a2a grant.
    await expect(call(keyPrincipal('k_no_a2a', [], [tools]))).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });

  it('finds local and remote agents in the directory by skill', async () => {
    const { items } = await mesh.call(DirectorySearchRpc, { skill: 'shout' });
    expect(items.map((item) => item.address).sort()).toEqual(['a2a:alpha', 'a2a:beta']);
    const local = await mesh.call(DirectorySearchRpc, { kind: 'local' });
    expect(local.items).toEqual([]);
  });
});

describe('sending to remote agents', () => {
  it('answers a request to a2a:<peer> with the remote task, streamed', async () => {
    const reply = await caller.request('a2a:alpha', 'hello', { timeoutMs: 15_000 });
    expect(reply.from).toBe('a2a:alpha');
    const update = payloadOf(reply);
    expect(update).toMatchObject({ peer: 'alpha', state: 'completed' });
    expect(textOf(update)).toBe('remote says hello');
    expect(alpha.received).toContain('hello');
    // The working update came first, as a message of its own.
    await until(
      () =>
        updates.find(
          (message) =>
            payloadOf(message).taskId === update.taskId && payloadOf(message).state === 'working',
        ),
      'the working update',
    );
  });

  it('polls a peer that does not stream', async () => {
    const reply = await caller.request(
      'a2a:beta',
      { parts: [{ text: 'polled' }] },
      { timeoutMs: 15_000 },
    );
    expect(payloadOf(reply)).toMatchObject({ peer: 'beta', state: 'completed' });
    expect(textOf(payloadOf(reply))).toBe('remote says polled');
  });

  it('sends a2a:skill:<skill> to a peer that has the skill', async () => {
    const reply = await caller.request('a2a:skill:shout', 'anyone', { timeoutMs: 15_000 });
    expect(['alpha', 'beta']).toContain(payloadOf(reply).peer);
    expect(textOf(payloadOf(reply))).toBe('remote says anyone');
  });

  it('refuses unknown peers and peers the agent has no grant for', async () => {
    await expect(caller.sendTo('a2a:nobody', 'x')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const stranger = await mesh.agent('stranger', { published: false });
    await expect(stranger.sendTo('a2a:alpha', 'x')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('gives up on a peer that stays unreachable and tells the agent why', async () => {
    const gone = await startRemoteAgent({ name: 'Gone', skills: ['echo'] });
    await mesh.call(PeersAddRpc, { name: 'gone', url: gone.baseUrl });
    await gone.close();
    const reply = await caller.request('a2a:gone', 'anyone there?', { timeoutMs: 15_000 });
    expect(reply.from).toBe('a2a:gone');
    expect(payloadOf(reply).state).toBe('failed');
    expect(textOf(payloadOf(reply))).toMatch(/^the A2A call failed: /);
    await mesh.call(PeersRemoveRpc, { name: 'gone' });
  });

  it('resumes a remote task after a restart of the a2a-peer', async () => {
    const reply = caller.request('a2a:alpha', 'hold', { timeoutMs: 20_000 });
    await until(() => (alpha.received.includes('hold') ? true : undefined), 'the remote task');
    // Another replica takes over while the remote agent still works on it.
    const [first] = mesh.peers;
    await mesh.startPeer();
    await first?.stop();
    alpha.releaseHeld();
    const update = payloadOf(await reply);
    expect(update.state).toBe('completed');
    expect(textOf(update)).toBe('remote says hold');
  });
});

describe('health', () => {
  it('marks a peer degraded then down when it stops answering, and up again after', async () => {
    const seen: string[] = [];
    const subscription = await mesh.bus.consumeEvents({
      filterSubject: mesh.bus.subjects.event('a2a', 'peer'),
      schema: PeerChangedEventSchema,
      handler: async (event) => {
        if (event.payload.name === 'beta') seen.push(event.payload.status);
      },
    });
    await beta.pause();
    await until(
      async () =>
        (await mesh.call(PeersGetRpc, { name: 'beta' })).status === 'down' ? true : undefined,
      'beta down',
    );
    await beta.resume();
    await until(
      async () =>
        (await mesh.call(PeersGetRpc, { name: 'beta' })).status === 'up' ? true : undefined,
      'beta up',
    );
    await until(() => (seen.includes('up') ? true : undefined), 'the up event');
    expect(seen).toEqual(expect.arrayContaining(['degraded', 'down', 'up']));
    const peer = await mesh.call(PeersGetRpc, { name: 'beta' });
    expect(peer.latencyMs).not.toBeNull();
    await subscription.stop();
  });

  it('forgets a removed peer', async () => {
    expect(await mesh.call(PeersRemoveRpc, { name: 'beta' })).toEqual({ removed: true });
    await expect(mesh.call(PeersGetRpc, { name: 'beta' })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});
