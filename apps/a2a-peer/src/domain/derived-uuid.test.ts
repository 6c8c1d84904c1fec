import { describe, expect, it } from 'vitest';
import { derivedUuid } from './derived-uuid.ts';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('derivedUuid', () => {
  it('names the same parts with the same UUID, so a re-sent request finds its task', () => {
    expect(derivedUuid('task', 'caller', 'agent:a', 'm-1')).toBe(
      derivedUuid('task', 'caller', 'agent:a', 'm-1'),
    );
  });

  it('gives different parts different UUIDs, also when only the split between parts moves', () => {
    const ids = new Set([
      derivedUuid('task', 'caller', 'm-1'),
      derivedUuid('task', 'caller', 'm-2'),
      derivedUuid('a2a', 'caller', 'm-1'),
      derivedUuid('ab', 'c'),
      derivedUuid('a', 'bc'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('is a version 8 UUID with the RFC 9562 variant, which the router accepts as a message id', () => {
    for (let n = 0; n < 64; n += 1) expect(derivedUuid('n', String(n))).toMatch(UUID_V8);
  });
});
