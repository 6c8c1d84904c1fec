import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './parse-frame.ts';
import { ServerFrameSchema } from './server-frames.ts';

const versions = [1] as const;
const parse = (value: unknown) =>
  parseClientFrame(typeof value === 'string' ? value : JSON.stringify(value), versions);

describe('parseClientFrame', () => {
  it('reads hello, register, ping and pong frames', () => {
    expect(parse({ v: 1, type: 'hello', id: 'h1', versions: [1, 2] })).toEqual({
      ok: true,
      frame: { v: 1, type: 'hello', id: 'h1', versions: [1, 2] },
    });
    const register = parse({
      v: 1,
      type: 'register',
      id: 'r1',
      agent: {
        id: 'planner-1',
        name: 'Planner',
        version: '1.2.0',
        capabilities: [{ name: 'plan' }],
      },
    });
    expect(register).toEqual({
      ok: true,
      frame: {
        v: 1,
        type: 'register',
        id: 'r1',
        agent: {
          id: 'planner-1',
          name: 'Planner',
          version: '1.2.0',
          capabilities: [{ name: 'plan' }],
          labels: {},
        },
      },
    });
    expect(parse({ v: 1, type: 'ping', id: 'p1' })).toMatchObject({ ok: true });
    expect(parse({ v: 1, type: 'pong', id: 'p2', re: 'p1' })).toMatchObject({ ok: true });
  });

  it('refuses text that is not JSON, without a frame id', () => {
    for (const garbage of ['{"v":1,"type":', '\u0000\u00ff', '']) {
      const parsed = parse(garbage);
      expect(parsed).toMatchObject({ ok: false, re: null, error: { code: 'E_VALIDATION' } });
      if (!parsed.ok) expect(parsed.error.message).toMatch(/^the frame is not valid JSON: /);
    }
  });

  it('refuses JSON that is not an object', () => {
    for (const value of [[1, 2], 'text', 42, null]) {
      expect(parse(JSON.stringify(value))).toEqual({
        ok: false,
        re: null,
        error: {
          code: 'E_VALIDATION',
          message: 'a frame is a JSON object with `v`, `type` and `id`',
        },
      });
    }
  });

  it('names an unsupported version and the versions it speaks', () => {
    expect(parse({ v: 7, type: 'ping', id: 'p1' })).toEqual({
      ok: false,
      re: 'p1',
      error: {
        code: 'E_UNSUPPORTED_VERSION',
        message: 'protocol version 7 is not supported; this gateway speaks 1',
        details: { supported: [1] },
      },
    });
  });

  it('gives an unknown frame type its own code', () => {
    const parsed = parse({ v: 1, type: 'teleport', id: 't1' });
    expect(parsed).toMatchObject({ ok: false, re: 't1', error: { code: 'E_UNKNOWN_FRAME' } });
    if (!parsed.ok) expect(parsed.error.message).toContain('unknown frame type "teleport"');
  });

  it('names the failing fields of a malformed known frame and its id', () => {
    const parsed = parse({ v: 1, type: 'register', id: 'r9', agent: { name: 3 } });
    expect(parsed).toMatchObject({ ok: false, re: 'r9', error: { code: 'E_VALIDATION' } });
    if (!parsed.ok) {
      expect(parsed.error.message).toMatch(/^register frame is invalid: agent\.name: /);
      expect(parsed.error.message).toContain('agent.version');
    }
    const noType = parse({ v: 1, id: 'x' });
    expect(noType).toMatchObject({ ok: false, re: 'x', error: { code: 'E_VALIDATION' } });
    if (!noType.ok) expect(noType.error.message).toMatch(/^frame is invalid: /);
  });

  it('does not trust an id that is not a short string', () => {
    expect(parse({ v: 1, type: 'ping', id: 'x'.repeat(200) })).toMatchObject({
      ok: false,
      re: null,
    });
    expect(parse({ v: 1, type: 'ping', id: 5 })).toMatchObject({ ok: false, re: null });
  });

  it('survives deeply nested input', () => {
    const deep = `{"v":1,"type":"register","id":"d1","agent":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(parse(deep)).toMatchObject({ ok: false, re: 'd1', error: { code: 'E_VALIDATION' } });
  });

  it('refuses registrations with bad ids, capabilities or labels', () => {
    const agent = { name: 'a', version: '1' };
    for (const bad of [
      { ...agent, id: '-starts-with-dash' },
      { ...agent, capabilities: [{ name: 'Upper Case' }] },
      { ...agent, labels: { 'bad key!': 'x' } },
      {
        ...agent,
        labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
      },
      { ...agent, extra: true },
    ]) {
      expect(parse({ v: 1, type: 'register', id: 'r', agent: bad })).toMatchObject({ ok: false });
    }
  });
});

describe('server frames', () => {
  it('describe welcome, result, error, ping and pong', () => {
    const welcome = {
      v: 1,
      type: 'welcome',
      id: 'w1',
      re: 'h1',
      version: 1,
      connectionId: 'c1',
      gatewayId: 'g1',
      heartbeatIntervalMs: 10_000,
      heartbeatTimeoutMs: 30_000,
      limits: { maxFrameBytes: 1_048_576, maxPayloadBytes: 524_288 },
    };
    expect(ServerFrameSchema.parse(welcome)).toEqual(welcome);
    const error = {
      v: 1,
      type: 'error',
      id: 'e1',
      re: null,
      error: { code: 'E_RATE_LIMITED', message: 'slow down', retryAfterMs: 250 },
    };
    expect(ServerFrameSchema.parse(error)).toEqual(error);
    expect(ServerFrameSchema.safeParse({ v: 1, type: 'result', id: 'x' }).success).toBe(false);
  });
});
