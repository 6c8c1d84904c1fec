import { describe, expect, it } from 'vitest';
import { errorOfFrame, parseServerFrame } from './frames.ts';

describe('parseServerFrame', () => {
  it('reads the frames the gateway sends', () => {
    expect(parseServerFrame('{"v":1,"type":"pong","id":"g1","re":"c1"}')).toEqual({
      ok: true,
      frame: { v: 1, type: 'pong', id: 'g1', re: 'c1' },
    });
  });

  it('says why it ignores anything else, without throwing', () => {
    expect(parseServerFrame(new Uint8Array([1]))).toEqual({ ok: false, reason: 'a binary frame' });
    expect(parseServerFrame('{"v":')).toEqual({ ok: false, reason: 'a frame that is not JSON' });
    expect(parseServerFrame('{"v":1,"type":"teleport","id":"x"}')).toEqual({
      ok: false,
      reason: 'a teleport frame it does not know',
    });
    expect(parseServerFrame('null')).toEqual({ ok: false, reason: 'a frame' });
    expect(parseServerFrame('[1]')).toEqual({ ok: false, reason: 'a frame' });
  });
});

describe('errorOfFrame', () => {
  it('rebuilds the error, keeping retryAfterMs in its details', () => {
    expect(
      errorOfFrame({ code: 'E_FORBIDDEN', message: 'no', details: { agentId: 'a' } }),
    ).toMatchObject({
      name: 'SbError',
      code: 'E_FORBIDDEN',
      message: 'no',
      details: { agentId: 'a' },
    });
    expect(
      errorOfFrame({ code: 'E_RATE_LIMITED', message: 'slow', retryAfterMs: 10 }).details,
    ).toEqual({
      retryAfterMs: 10,
    });
  });

  it('settles a request answered with an error code this SDK does not know, as E_INTERNAL', () => {
    const parsed = parseServerFrame(
      JSON.stringify({
        v: 1,
        type: 'error',
        id: 'g1',
        re: 'r1',
        error: { code: 'E_FUTURE', message: 'new in a later gateway', details: { hint: 'x' } },
      }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      frame: {
        type: 'error',
        re: 'r1',
        error: { code: 'E_INTERNAL', details: { hint: 'x', code: 'E_FUTURE' } },
      },
    });
  });
});
