import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.ts';
import { type ConnectOptions, connectUrl, resolveOptions } from './options.ts';
import { SDK_VERSION } from './version.ts';

const base: ConnectOptions = {
  url: 'ws://127.0.0.1:7700',
  token: 'secret',
  agent: { id: 'a1', name: 'A', version: '1' },
};

describe('connectUrl', () => {
  it('points at /v1/connect over ws(s), keeping any path prefix', () => {
    expect(connectUrl('ws://127.0.0.1:7700')).toBe('ws://127.0.0.1:7700/v1/connect');
    expect(connectUrl('http://gw.example/')).toBe('ws://gw.example/v1/connect');
    expect(connectUrl('https://gw.example/switchboard/')).toBe(
      'wss://gw.example/switchboard/v1/connect',
    );
    expect(connectUrl('wss://gw.example/v1/connect')).toBe('wss://gw.example/v1/connect');
  });

  it('refuses what is not a gateway URL, and credentials in it', () => {
    expect(() => connectUrl('127.0.0.1:7700')).toThrow(/not ws:\/\/, wss:\/\/|is not a URL/);
    expect(() => connectUrl('not a url')).toThrow(
      'url "not a url" is not a URL; use e.g. ws://127.0.0.1:7700',
    );
    expect(() => connectUrl('ftp://gw.example')).toThrow(
      'url must be ws://, wss://, http:// or https://, not ftp:',
    );
    expect(() => connectUrl('ws://user:pw@gw.example')).toThrow('url must not carry credentials');
  });
});

describe('resolveOptions', () => {
  it('fills in the defaults', async () => {
    const resolved = resolveOptions(base);
    expect(resolved).toMatchObject({
      url: 'ws://127.0.0.1:7700/v1/connect',
      agent: { id: 'a1', name: 'A', version: '1', capabilities: [], labels: {} },
      reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 1 },
      connectTimeoutMs: 30_000,
      handshakeTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      messageConcurrency: 1,
      dedupWindowMs: 600_000,
      dedupMaxEntries: 100_000,
      a2aWorkingDelayMs: 2000,
      WebSocket: undefined,
      signal: undefined,
      log: silentLogger,
    });
    expect(await resolved.token()).toBe('secret');
    expect(
      await resolveOptions({
        ...base,
        token: undefined,
        apiKey: 'sbk_x',
      } as ConnectOptions).token(),
    ).toBe('sbk_x');
  });

  it('keeps the reconnect settings given and defaults the rest', () => {
    expect(resolveOptions({ ...base, reconnect: { maxDelayMs: 5 } }).reconnect).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 5,
      factor: 2,
      jitter: 1,
    });
  });

  it('refuses a bad registration, naming the field', () => {
    expect(() =>
      resolveOptions({
        ...base,
        agent: { name: 'A', version: '1', capabilities: [{ name: 'Bad Name' }] },
      }),
    ).toThrow(/^agent is invalid: capabilities\.0\.name: /);
    expect(() => resolveOptions({ ...base, agent: { name: 'A', version: '1', id: '-x' } })).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION' }),
    );
  });

  it('refuses timings out of range', () => {
    expect(() => resolveOptions({ ...base, reconnect: { jitter: 2 } })).toThrow(
      /^connect options is invalid: reconnect\.jitter: /,
    );
    expect(() => resolveOptions({ ...base, handshakeTimeoutMs: 0 })).toThrow(/handshakeTimeoutMs/);
    expect(() => resolveOptions({ ...base, a2aWorkingDelayMs: -1 })).toThrow(/a2aWorkingDelayMs/);
    // 0 is allowed: report `working` as soon as the handler has the message.
    expect(resolveOptions({ ...base, a2aWorkingDelayMs: 0 }).a2aWorkingDelayMs).toBe(0);
  });

  it('requires a credential', () => {
    const anonymous = { url: base.url, agent: base.agent } as ConnectOptions;
    expect(() => resolveOptions(anonymous)).toThrow(
      'give apiKey or token: the gateway refuses anonymous agents',
    );
    expect(() => resolveOptions({ ...base, token: '' })).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION' }),
    );
  });
});

describe('SDK_VERSION', () => {
  it("is the package's version", () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    expect(SDK_VERSION).toBe(manifest.version);
  });
});
