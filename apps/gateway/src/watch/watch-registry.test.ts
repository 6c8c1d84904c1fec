import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { WatchRegistry } from './watch-registry.ts';

const a = { name: 'a' };
const b = { name: 'b' };

function codeOf(work: () => void): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof SbError) return error.code;
    throw error;
  }
  return undefined;
}

describe('WatchRegistry', () => {
  it('fans a scope out to every connection watching it, once each', () => {
    const watches = new WatchRegistry<object>();
    watches.add(a, 'agent:a', 10);
    watches.add(a, 'agent:a', 10);
    watches.add(b, 'agent:a', 10);
    watches.add(b, 'team.x', 10);
    expect(watches.watchers('agent:a')).toEqual([a, b]);
    expect(watches.watchers('team.x')).toEqual([b]);
    expect(watches.watchers('team.y')).toEqual([]);
    expect(watches.scopesOf(b)).toEqual(['agent:a', 'team.x']);
    expect(watches.size).toBe(3);
  });

  it('removes one watch and says whether there was one', () => {
    const watches = new WatchRegistry<object>();
    watches.add(a, 's1', 10);
    watches.add(a, 's2', 10);
    watches.add(b, 's1', 10);
    expect(watches.remove(a, 's1')).toBe(true);
    expect(watches.remove(a, 's1')).toBe(false);
    expect(watches.remove(b, 'never')).toBe(false);
    expect(watches.watchers('s1')).toEqual([b]);
    expect(watches.remove(a, 's2')).toBe(true);
    expect(watches.remove(b, 's1')).toBe(true);
    expect(watches.scopesOf(a)).toEqual([]);
    expect(watches.watchers('s1')).toEqual([]);
    expect(watches.size).toBe(0);
  });

  it('refuses a watch past the limit with E_RATE_LIMITED, but not a repeated one', () => {
    const watches = new WatchRegistry<object>();
    watches.add(a, 's1', 2);
    watches.add(a, 's2', 2);
    expect(codeOf(() => watches.assertRoom(a, 's3', 2))).toBe('E_RATE_LIMITED');
    expect(codeOf(() => watches.add(a, 's3', 2))).toBe('E_RATE_LIMITED');
    expect(codeOf(() => watches.assertRoom(a, 's2', 2))).toBeUndefined();
    expect(codeOf(() => watches.assertRoom(b, 's3', 2))).toBeUndefined();
    watches.remove(a, 's1');
    watches.add(a, 's3', 2);
    expect(watches.scopesOf(a)).toEqual(['s2', 's3']);
  });

  it('ends every watch of a dropped connection and ignores a late add for it', () => {
    const watches = new WatchRegistry<object>();
    watches.add(a, 's1', 10);
    watches.add(a, 's2', 10);
    watches.add(b, 's1', 10);
    watches.drop(a);
    watches.drop(a);
    watches.add(a, 's3', 10);
    expect(watches.scopesOf(a)).toEqual([]);
    expect(watches.watchers('s1')).toEqual([b]);
    expect(watches.watchers('s2')).toEqual([]);
    expect(watches.watchers('s3')).toEqual([]);
  });
});
