import { describe, expect, it } from 'vitest';
import { continueTrace, isTraceparent, newTraceparent, traceIdOf } from './trace.ts';

describe('traceparent', () => {
  it('generates well-formed, distinct traceparents', () => {
    const first = newTraceparent();
    expect(first).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(isTraceparent(first)).toBe(true);
    const many = Array.from({ length: 1000 }, newTraceparent);
    expect(new Set([first, ...many]).size).toBe(1001);
    expect(many.every(isTraceparent)).toBe(true);
  });

  it('rejects malformed and all-zero ids', () => {
    expect(isTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    expect(isTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBe(false);
    expect(isTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isTraceparent('not a traceparent')).toBe(false);
  });

  it('continues a valid incoming trace and starts a new one otherwise', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(continueTrace(incoming)).toBe(incoming);
    const fresh = continueTrace('garbage');
    expect(isTraceparent(fresh)).toBe(true);
    expect(isTraceparent(continueTrace(undefined))).toBe(true);
  });

  it('reads the trace id out of a traceparent', () => {
    expect(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });
});
