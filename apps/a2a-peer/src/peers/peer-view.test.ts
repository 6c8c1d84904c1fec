import { AgentCard } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  cardProblem,
  peerViewOf,
  pickPeer,
  preferredInterface,
  statusAfterCheck,
  toolsOfPeer,
} from './peer-view.ts';

const cardWith = (fields: Record<string, unknown>) =>
  AgentCard.fromJSON({
    name: 'Remote',
    description: 'a remote agent',
    version: '1.2.3',
    supportedInterfaces: [
      { url: 'https://r.example/v03', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      { url: 'https://r.example/rest', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      { url: 'https://r.example/rpc', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'https://r.example/grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
    ],
    capabilities: { streaming: true },
    skills: [{ id: 'sum up', name: 'Sum up', description: '', tags: ['Text', 'bad tag!'] }],
    ...fields,
  });

describe('the interface we call', () => {
  it('prefers v1.0 JSON-RPC, then v1.0 HTTP+JSON, then v0.3', () => {
    expect(preferredInterface(cardWith({}))?.url).toBe('https://r.example/rpc');
    const restOnly = cardWith({
      supportedInterfaces: [
        { url: 'https://r.example/v03', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
        { url: 'https://r.example/rest', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      ],
    });
    expect(preferredInterface(restOnly)?.url).toBe('https://r.example/rest');
    const legacy = cardWith({
      supportedInterfaces: [
        { url: 'https://r.example/v03', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
    });
    expect(peerViewOf(legacy)).toMatchObject({
      endpoint: 'https://r.example/v03',
      protocolVersion: '0.3',
    });
  });

  it('reads streaming and the skills from the card', () => {
    expect(peerViewOf(cardWith({}))).toMatchObject({
      streaming: true,
      skills: [{ id: 'sum up', name: 'Sum up', description: '', tags: ['Text', 'bad tag!'] }],
    });
    expect(peerViewOf(cardWith({ capabilities: {} })).streaming).toBe(false);
  });
});

describe('card problems', () => {
  it('accepts a card with a name and an interface we speak', () => {
    expect(cardProblem(cardWith({}))).toBeUndefined();
  });

  it('names what makes a card unusable', () => {
    expect(cardProblem(cardWith({ name: ' ' }))).toBe('the card has no name');
    expect(
      cardProblem(
        cardWith({
          supportedInterfaces: [
            { url: 'https://r.example/grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
          ],
        }),
      ),
    ).toMatch(/no JSON-RPC or HTTP\+JSON interface/);
    expect(
      cardProblem(
        cardWith({
          supportedInterfaces: [
            { url: 'ftp://r.example/rpc', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
          ],
        }),
      ),
    ).toMatch(/not http\(s\)/);
    expect(peerViewOf(cardWith({ supportedInterfaces: [] })).endpoint).toBe('');
  });
});

describe('health', () => {
  const settings = { degradedLatencyMs: 100, downAfterFailures: 3 };

  it('is up when the check answered in time, degraded when slow', () => {
    expect(statusAfterCheck({ ok: true, latencyMs: 20 }, 2, settings)).toEqual({
      status: 'up',
      failures: 0,
    });
    expect(statusAfterCheck({ ok: true, latencyMs: 500 }, 0, settings).status).toBe('degraded');
  });

  it('is degraded after a failure and down after enough in a row', () => {
    expect(statusAfterCheck({ ok: false }, 0, settings)).toEqual({
      status: 'degraded',
      failures: 1,
    });
    expect(statusAfterCheck({ ok: false }, 2, settings)).toEqual({ status: 'down', failures: 3 });
  });
});

describe('picking a peer for a skill', () => {
  const peer = (name: string, status: 'up' | 'degraded' | 'down', skills = ['s']) => ({
    name,
    status,
    latencyMs: 10,
    skills: skills.map((id) => ({ id })),
  });

  it('takes the up peers with the skill in turn', () => {
    const peers = [peer('a', 'up'), peer('b', 'degraded'), peer('c', 'up'), peer('d', 'up', ['x'])];
    expect([0, 1, 2].map((turn) => pickPeer(peers, 's', turn)?.name)).toEqual(['a', 'c', 'a']);
  });

  it('falls back to degraded peers, never to down ones', () => {
    expect(pickPeer([peer('b', 'degraded'), peer('c', 'down')], 's', 0)?.name).toBe('b');
    expect(pickPeer([peer('c', 'down')], 's', 0)).toBeUndefined();
    expect(pickPeer([peer('a', 'up')], 'other', 0)).toBeUndefined();
  });
});

describe('skills as tools', () => {
  it('names each tool a2a.<peer>.<skill> at the card version, tagged a2a', () => {
    const [tool] = toolsOfPeer('remote-1', cardWith({}));
    expect(tool).toMatchObject({
      skill: 'sum up',
      definition: {
        name: 'a2a.remote-1.sum-up',
        version: '1.2.3',
        description: 'Sum up (the A2A agent Remote)',
        tags: ['a2a', 'text'],
      },
    });
  });

  it('uses 1.0.0 for a version that is not semver and a fallback for an empty skill id', () => {
    const card = cardWith({
      version: 'v7',
      skills: [{ id: '!!!', name: 'odd', description: 'odd one', tags: [] }],
    });
    expect(toolsOfPeer('p', card)[0]?.definition).toMatchObject({
      name: 'a2a.p.skill',
      version: '1.0.0',
      description: 'odd one (the A2A agent Remote)',
    });
  });
});
