import { describe, expect, it } from 'vitest';
import {
  isValidSubject,
  isValidSubjectPattern,
  MAX_PATTERN_CHARS,
  patternCovers,
  SubjectPatternSchema,
  subjectMatches,
} from './patterns.ts';

describe('isValidSubjectPattern', () => {
  it.each(['orders', 'orders.eu', 'orders.*.eu', 'orders.>', '>', '*', '*.*.>', 'a-b_c.D9'])(
    'accepts %s',
    (pattern) => {
      expect(isValidSubjectPattern(pattern)).toBe(true);
    },
  );

  it.each([
    ['', 'empty'],
    ['orders..eu', 'an empty middle token'],
    ['.orders', 'an empty first token'],
    ['orders.', 'an empty last token'],
    ['orders.>.eu', '> before the last token'],
    ['>.>', '> twice'],
    ['orders*', '* inside a token'],
    ['orders.e>', '> inside a token'],
    ['orders.e u', 'whitespace'],
    ['orders.\teu', 'a tab'],
  ])('refuses %j (%s)', (pattern) => {
    expect(isValidSubjectPattern(pattern)).toBe(false);
  });
});

describe('isValidSubject', () => {
  it('accepts concrete subjects and refuses wildcards', () => {
    expect(isValidSubject('orders.eu')).toBe(true);
    expect(isValidSubject('orders.*')).toBe(false);
    expect(isValidSubject('orders.>')).toBe(false);
    expect(isValidSubject('*')).toBe(false);
    expect(isValidSubject('orders..eu')).toBe(false);
  });
});

describe('subjectMatches', () => {
  it.each([
    ['orders.eu', 'orders.eu', true],
    ['orders.eu', 'orders.us', false],
    ['orders.*', 'orders.eu', true],
    ['orders.*', 'orders', false],
    ['orders.*', 'orders.eu.paris', false],
    ['orders.*.paris', 'orders.eu.paris', true],
    ['orders.*.paris', 'orders.eu.lyon', false],
    ['orders.>', 'orders.eu', true],
    ['orders.>', 'orders.eu.paris', true],
    ['orders.>', 'orders', false],
    ['>', 'anything.at.all', true],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['orders', 'orders.eu', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('matches nothing when the subject holds a wildcard, even for a pattern covering it', () => {
    expect(subjectMatches('orders.>', 'orders.*')).toBe(false);
    expect(subjectMatches('>', '>')).toBe(false);
  });

  it('matches nothing with an invalid pattern or subject', () => {
    expect(subjectMatches('orders.>.eu', 'orders.x.eu')).toBe(false);
    expect(subjectMatches('orders.*', 'orders..')).toBe(false);
    expect(subjectMatches('', '')).toBe(false);
  });
});

describe('patternCovers', () => {
  it.each([
    ['a.>', 'a.b.*', true],
    ['a.>', 'a.>', true],
    ['a.>', 'a.*', true],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['>', '>', true],
    ['>', '*.b', true],
    ['a.*', 'a.b', true],
    ['a.*', 'a.*', true],
    ['a.*', 'a.>', false],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['*.b', 'a.b', true],
    ['*.b', '*.b', true],
    ['*.b', '*.c', false],
    ['a.b', 'a.*', false],
    ['a.b', 'a.b', true],
    ['a.b.c', 'a.b', false],
    ['*', '>', false],
    ['a.*.c', 'a.*.c', true],
    ['a.*.c', 'a.*.>', false],
  ])('%s covers %s: %s', (granted, requested, expected) => {
    expect(patternCovers(granted, requested)).toBe(expected);
  });

  it('covers nothing and is covered by nothing when invalid', () => {
    expect(patternCovers('a..b', 'a.b')).toBe(false);
    expect(patternCovers('>', 'a.>.b')).toBe(false);
  });
});

describe('SubjectPatternSchema', () => {
  it('accepts a valid pattern and explains a refused one', () => {
    expect(SubjectPatternSchema.parse('tools.search.*')).toBe('tools.search.*');
    const result = SubjectPatternSchema.safeParse('search*');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('`>` the rest and only comes last');
  });

  it('refuses patterns longer than the limit', () => {
    const long = 'a'.repeat(MAX_PATTERN_CHARS + 1);
    expect(isValidSubjectPattern(long)).toBe(true);
    expect(SubjectPatternSchema.safeParse(long).success).toBe(false);
  });
});
