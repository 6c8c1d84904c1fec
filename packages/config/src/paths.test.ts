import { describe, expect, it } from 'vitest';
import {
  getAtPath,
  hasAtPath,
  isAtOrUnder,
  joinKey,
  matchesPattern,
  setAtPath,
  splitKey,
} from './paths.ts';

describe('paths', () => {
  it('splits and joins dotted keys', () => {
    expect(splitKey('router.retry.maxAttempts')).toEqual(['router', 'retry', 'maxAttempts']);
    expect(joinKey(['log', 'level'])).toBe('log.level');
  });

  it('reads a value along a path and tells whether one is there', () => {
    const tree = { a: { b: null, c: 'x' } };
    expect(getAtPath(tree, ['a', 'c'])).toBe('x');
    expect(getAtPath(tree, ['a', 'c', 'd'])).toBeUndefined();
    expect(hasAtPath(tree, ['a', 'b'])).toBe(true);
    expect(hasAtPath(tree, ['a', 'z'])).toBe(false);
    expect(hasAtPath(tree, ['a', 'c', 'd'])).toBe(false);
  });

  it('sets and removes a value in a copy, creating and replacing objects on the way', () => {
    const tree = { a: { b: 1 }, s: 'text' };
    expect(setAtPath(tree, ['a', 'c'], 2)).toEqual({ a: { b: 1, c: 2 }, s: 'text' });
    expect(setAtPath(tree, ['s', 'x'], 3)).toEqual({ a: { b: 1 }, s: { x: 3 } });
    expect(setAtPath(tree, ['a', 'b'], undefined)).toEqual({ a: {}, s: 'text' });
    expect(setAtPath(undefined, [], 1)).toEqual({});
    expect(tree).toEqual({ a: { b: 1 }, s: 'text' });
  });

  it('tells whether a path is at or under a prefix', () => {
    expect(isAtOrUnder(['router', 'retry', 'maxAttempts'], ['router', 'retry'])).toBe(true);
    expect(isAtOrUnder(['router', 'retry'], ['router', 'retry'])).toBe(true);
    expect(isAtOrUnder(['router'], ['router', 'retry'])).toBe(false);
    expect(isAtOrUnder(['router', 'queue'], ['router', 'retry'])).toBe(false);
  });

  it('matches patterns with one-segment and any-depth wildcards, covering subtrees', () => {
    expect(matchesPattern(['nats', 'pass'], 'nats.pass')).toBe(true);
    expect(matchesPattern(['router', 'retry', 'maxAttempts'], 'router.retry')).toBe(true);
    expect(matchesPattern(['router'], 'router.retry')).toBe(false);
    expect(matchesPattern(['postgres', 'tls', 'key'], '*.tls.key')).toBe(true);
    expect(matchesPattern(['a', 'b', 'tls', 'key'], '*.tls.key')).toBe(false);
    expect(matchesPattern(['a', 'b', 'tls', 'key'], '**.tls.key')).toBe(true);
    expect(matchesPattern(['tls', 'key'], '**.tls.key')).toBe(true);
    expect(matchesPattern(['tls', 'cert'], '**.tls.key')).toBe(false);
  });
});
