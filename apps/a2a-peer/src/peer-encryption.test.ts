import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Message, Task } from '@a2a-js/sdk';
import { ServiceParameters, withA2AExtensions } from '@a2a-js/sdk/client';
import {
  type DeliveredMessage,
  PeersAddRpc,
  RemoteCallRpc,
  type RemoteUpdate,
  type SecurityEvent,
  SecurityEventSchema,
} from '@switchboard/protocol';
import type { AgentClient } from '@switchboard/sdk';
import { keyPrincipal, type RemoteAgent, startRemoteAgent, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerCipher } from './encryption/peer-cipher.ts';
import { PEER_ENCRYPTION_URI } from './encryption/peer-extension.ts';
import { openTask, sealMessage } from './encryption/sealing.ts';
import { type A2aMesh, createA2aMesh, freePort } from './test-mesh.ts';
import { quietA2aSdk } from './test-quiet-sdk.ts';

// The encrypted-payloads A2A extension between two Switchboard meshes: "home" (its agent calls
// out) and "away" (serves a published agent). Away's A2A peer is reached through a recording
// proxy, so the test reads what really crosses the wire.

const marker = 'wire-plaintext-marker';
const shared = randomBytes(32).toString('base64');
const impostor = randomBytes(32).toString('base64');

const peerKeys = (key: string, mode = 'prefer') => ({
  SB_A2A__PEER_ENCRYPTION__MODE: mode,
  SB_A2A__PEER_ENCRYPTION__KEYS: JSON.stringify({ k1: key }),
});

interface Exchange {
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string;
  responseHeaders: IncomingHttpHeaders;
  responseBody: string;
}

/**
 * A proxy in front of `targetPort` that records every exchange whole; `alter` may change a
 * response body before it goes on (the answer is held until complete, streams included).
 */
async function startRecordingProxy(targetPort: number, port: number) {
  const exchanges: Exchange[] = [];
  let alter: (body: string) => string = (body) => body;
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const forward = request(
        {
          host: '127.0.0.1',
          port: targetPort,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const responseBody = alter(Buffer.concat(parts).toString('utf8'));
            exchanges.push({
              path: incoming.url ?? '',
              requestHeaders: incoming.headers,
              requestBody: requestBody.toString('utf8'),
              responseHeaders: answer.headers,
              responseBody,
            });
            const {
              'content-length': _length,
              'transfer-encoding': _encoding,
              ...headers
            } = answer.headers;
            outgoing.writeHead(answer.statusCode ?? 502, headers);
            outgoing.end(responseBody);
          });
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    alterResponses(change: (body: string) => string) {
      alter = change;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Flips one base64 character of the first ciphertext in a body. */
function tamper(body: string): string {
  return body.replace(/"ciphertext":"(.)/, (_match, first: string) => {
    return `"ciphertext":"${first === 'A' ? 'B' : 'A'}`;
  });
}

let home: A2aMesh;
let away: A2aMesh;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let plain: RemoteAgent;
let caller: AgentClient;
const awaySecurity: SecurityEvent[] = [];
const homeSecurity: SecurityEvent[] = [];
let homeEnv: Record<string, string> = peerKeys(shared);

const payloadOf = (message: DeliveredMessage) => message.payload as unknown as RemoteUpdate;
const textOf = (update: RemoteUpdate) =>
  update.message?.parts.map((part) => part.text ?? '').join('') ?? '';

/** Restarts home's A2A peer with other peer-encryption settings. */
async function restartHome(env: Record<string, string>): Promise<void> {
  homeEnv = env;
  await Promise.all(home.peers.map((peer) => peer.stop()));
  await home.startPeer(homeEnv);
}

async function collectSecurityEvents(mesh: A2aMesh, into: SecurityEvent[]) {
  return mesh.bus.consumeEvents({
    filterSubject: mesh.bus.subjects.event('security', 'decrypt_failed'),
    schema: SecurityEventSchema,
    handler: async (event) => {
      into.push(event.payload);
    },
  });
}

beforeAll(async () => {
  quietA2aSdk();
  // Two meshes and several peer replicas: small pools keep them under Postgres' connection limit.
  const small = { SB_POSTGRES__POOL_MAX: '3' };
  [home, away] = await Promise.all([createA2aMesh(small), createA2aMesh(small)]);
  const [awayPort, proxyPort] = [await freePort(), await freePort()];
  proxy = await startRecordingProxy(awayPort, proxyPort);
  // Away's cards advertise the proxy: every call to it passes through the recording.
  await away.startPeer({
    ...peerKeys(shared),
    SB_A2A__PORT: String(awayPort),
    SB_A2A__PUBLIC_URL: proxy.url,
  });
  const echo = await away.agent('echo', { capabilities: [{ name: 'echo' }] });
  echo.a2a.serve(async (request, task) => {
    await task.artifact({ artifactId: 'copy', name: 'copy', content: `copy of ${request.text}` });
    return `echo: ${request.text}`;
  });
  await home.startPeer(homeEnv);
  await collectSecurityEvents(away, awaySecurity);
  await collectSecurityEvents(home, homeSecurity);
  caller = await home.agent('caller', {
    grants: [{ kind: 'a2a', peers: ['away', 'plain'] }],
    published: false,
  });
  await home.call(PeersAddRpc, {
    name: 'away',
    url: `${proxy.url}/agents/echo`,
    token: await away.key(),
  });
  plain = await startRemoteAgent({ name: 'Plain', skills: ['shout'] });
  await home.call(PeersAddRpc, { name: 'plain', url: plain.baseUrl });
}, 180_000);

afterAll(async () => {
  await Promise.all([home?.stop(), away?.stop()]);
  await Promise.all([proxy?.close(), plain?.close()]);
});

describe('the encrypted-payloads extension between Switchboard peers', () => {
  it('declares the key ids it accepts in the card, never the keys', async () => {
    const response = await fetch(`${proxy.url}/agents/echo/.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    const card = (await response.json()) as { capabilities: { extensions: unknown[] } };
    expect(card.capabilities.extensions).toEqual([
      {
        uri: PEER_ENCRYPTION_URI,
        description: expect.any(String),
        params: { keyIds: ['k1'] },
      },
    ]);
    expect(JSON.stringify(card)).not.toContain(shared);
  });

  it('carries a round trip sealed: the agents read it, the wire shows no plaintext', async () => {
    proxy.exchanges.length = 0;
    const reply = await caller.request('a2a:away', `hello ${marker}`, { timeoutMs: 20_000 });
    const update = payloadOf(reply);
    expect(update).toMatchObject({ peer: 'away', state: 'completed' });
    expect(textOf(update)).toBe(`echo: hello ${marker}`);
    expect(update.artifacts.flatMap((artifact) => artifact.parts)).toEqual([
      { text: `copy of hello ${marker}` },
    ]);
    const calls = proxy.exchanges.filter((exchange) => exchange.path.endsWith('/jsonrpc'));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.requestHeaders['a2a-extensions']).toBe(PEER_ENCRYPTION_URI);
      expect(call.responseHeaders['a2a-extensions']).toBe(PEER_ENCRYPTION_URI);
      expect(call.requestBody).toContain('"ciphertext"');
      expect(call.responseBody).toContain('"ciphertext"');
    }
    for (const exchange of proxy.exchanges) {
      expect(exchange.requestBody).not.toContain(marker);
      expect(exchange.responseBody).not.toContain(marker);
    }
  });

  it('seals a peer skill called as a tool (remote.call) too', async () => {
    proxy.exchanges.length = 0;
    const { result } = await home.call(
      RemoteCallRpc,
      { peer: 'away', skill: 'echo', arguments: { text: `tool ${marker}` }, timeoutMs: 20_000 },
      keyPrincipal('k_tools', [], [{ kind: 'a2a', peers: ['away'] }]),
    );
    expect(result).toMatchObject({ state: 'completed', text: `echo: tool ${marker}` });
    expect(proxy.exchanges.length).toBeGreaterThan(0);
    for (const exchange of proxy.exchanges) {
      expect(exchange.requestBody).not.toContain(marker);
      expect(exchange.responseBody).not.toContain(marker);
    }
  });

  it('seals the push notifications of a task begun sealed, for any A2A client holding the key', async () => {
    // The official SDK client, sealing by hand with the shared key: the extension is open to
    // any implementation that follows it.
    const cipher = createPeerCipher(
      { keys: new Map([['k1', Buffer.from(shared, 'base64')]]) },
      () => undefined,
    );
    const pushes: string[] = [];
    const hook = createServer((incoming, answer) => {
      let body = '';
      incoming.on('data', (chunk) => {
        body += chunk;
      });
      incoming.on('end', () => {
        pushes.push(body);
        answer.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const client = await away.client(`${proxy.url}/agents/echo/.well-known/agent-card.json`);
      const message = Message.fromJSON({
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text: `push ${marker}` }],
      });
      const answered = await client.sendMessage(
        {
          tenant: '',
          message: sealMessage(cipher, message, 'k1'),
          configuration: {
            acceptedOutputModes: [],
            taskPushNotificationConfig: {
              tenant: '',
              id: 'hook',
              taskId: '',
              url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
              token: '',
              authentication: undefined,
            },
            returnImmediately: false,
          },
          metadata: undefined,
        },
        { serviceParameters: ServiceParameters.create(withA2AExtensions(PEER_ENCRYPTION_URI)) },
      );
      expect(JSON.stringify(answered)).not.toContain(marker);
      const opened = Task.toJSON(openTask(cipher, answered as Task, true)) as {
        status: { message: { parts: { text: string }[] } };
      };
      expect(opened.status.message.parts).toEqual([{ text: `echo: push ${marker}` }]);
      await waitFor(() => pushes.some((body) => body.includes('TASK_STATE_COMPLETED')), {
        what: 'the push of the completed task',
      });
      expect(pushes.filter((body) => body.includes('"ciphertext"')).length).toBeGreaterThan(0);
      for (const body of pushes) expect(body).not.toContain(marker);
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it('refuses a call sealed with another key of the same id, reported where it arrived', async () => {
    await restartHome(peerKeys(impostor));
    const reply = await caller.request('a2a:away', 'from an impostor', { timeoutMs: 20_000 });
    expect(payloadOf(reply).state).toBe('failed');
    expect(textOf(payloadOf(reply))).toMatch(/^the A2A call failed: E_DECRYPT_FAILED: /);
    await waitFor(() => awaySecurity.length > 0, { what: 'a decrypt_failed event of away' });
    expect(awaySecurity[0]).toMatchObject({
      kind: 'decrypt_failed',
      service: 'a2a',
      code: 'E_DECRYPT_FAILED',
      facts: { keyId: 'k1', record: expect.stringContaining('a2a.peer.message') },
    });
  });

  it('detects an answer altered on the way back and tells the agent, without retrying', async () => {
    await restartHome(peerKeys(shared));
    proxy.alterResponses((body) => (body.includes('"ciphertext"') ? tamper(body) : body));
    try {
      const reply = await caller.request('a2a:away', 'tamper with me', { timeoutMs: 20_000 });
      expect(payloadOf(reply).state).toBe('failed');
      expect(textOf(payloadOf(reply))).toMatch(
        /^the A2A call failed: E_DECRYPT_FAILED: a2a\.peer\.(message|artifact)/,
      );
    } finally {
      proxy.alterResponses((body) => body);
    }
    await waitFor(() => homeSecurity.length > 0, { what: 'a decrypt_failed event of home' });
    expect(homeSecurity[0]).toMatchObject({ kind: 'decrypt_failed', facts: { keyId: 'k1' } });
  });

  it('lets a plaintext A2A client through in prefer mode, and refuses it in require mode', async () => {
    const open = await away.client(`${proxy.url}/agents/echo/.well-known/agent-card.json`);
    const send = (text: string) => ({
      tenant: '',
      message: Message.fromJSON({
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text }],
      }),
      configuration: undefined,
      metadata: undefined,
    });
    const answered = await open.sendMessage(send('in clear'));
    expect(JSON.stringify(answered)).toContain('echo: in clear');

    const strict = await away.startPeer(peerKeys(shared, 'require'));
    const guarded = await away.client(
      `http://127.0.0.1:${strict.port}/agents/echo/.well-known/agent-card.json`,
    );
    const card = await guarded.getAgentCard();
    expect(card.capabilities?.extensions[0]).toMatchObject({ required: true });
    await expect(guarded.sendMessage(send('in clear, refused'))).rejects.toThrow(
      /E_ENCRYPTION_REQUIRED/,
    );
    await strict.stop();
  });

  it('calls a non-Switchboard A2A agent in clear in prefer mode, and refuses to in require mode', async () => {
    const reply = await caller.request('a2a:plain', 'hi', { timeoutMs: 20_000 });
    expect(textOf(payloadOf(reply))).toBe('remote says hi');

    await restartHome(peerKeys(shared, 'require'));
    const refused = await caller.request('a2a:plain', 'never sent', { timeoutMs: 20_000 });
    expect(payloadOf(refused).state).toBe('failed');
    expect(textOf(payloadOf(refused))).toMatch(
      /^the A2A call failed: E_ENCRYPTION_REQUIRED: the A2A peer plain does not offer/,
    );
    expect(plain.received).not.toContain('never sent');
    // A Switchboard peer sharing the key is still reached.
    const sealed = await caller.request('a2a:away', 'still sealed', { timeoutMs: 20_000 });
    expect(textOf(payloadOf(sealed))).toBe('echo: still sealed');
  });
});
