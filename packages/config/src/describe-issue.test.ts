import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue } from './describe-issue.ts';

function firstIssue(schema: z.ZodType, value: unknown): z.core.$ZodIssue {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a failure');
  return result.error.issues[0] as z.core.$ZodIssue;
}

describe('describeIssue', () => {
  it('states the whole allowed range of a number', () => {
    const both = z.int().min(1).max(9);
    expect(describeIssue(firstIssue(both, 0), both, false)).toBe('must be an integer from 1 to 9');
    const min = z.number().min(0.5);
    expect(describeIssue(firstIssue(min, 0), min, false)).toBe('must be a number >= 0.5');
    const max = z.number().max(3);
    expect(describeIssue(firstIssue(max, 4), max, false)).toBe('must be a number <= 3');
    const plain = z.number();
    expect(describeIssue(firstIssue(plain, 'x'), plain, false)).toBe('expected a number');
    expect(describeIssue(firstIssue(plain, undefined), plain, true)).toBe('required: a number');
  });

  it('falls back to the bound in the issue when the schema is not known', () => {
    expect(describeIssue(firstIssue(z.number().gt(2), 1), undefined, false)).toBe('must be > 2');
    expect(describeIssue(firstIssue(z.number().lt(2), 3), undefined, false)).toBe('must be < 2');
    expect(describeIssue(firstIssue(z.string().max(1), 'ab'), undefined, false)).toBe(
      'must have <= 1 characters',
    );
    expect(describeIssue(firstIssue(z.set(z.number()).min(1), new Set()), undefined, false)).toBe(
      'must have >= 1 items',
    );
  });

  it('names the type expected, and the values of an enum', () => {
    expect(describeIssue(firstIssue(z.boolean(), 'yes'), z.boolean(), false)).toBe(
      'expected true or false',
    );
    expect(describeIssue(firstIssue(z.date(), 'x'), z.date(), false)).toBe('expected date');
    const level = z.enum(['a', 'b']);
    expect(describeIssue(firstIssue(level, 'c'), level, false)).toBe('must be one of a, b');
  });

  it('lists the options of a union, and falls back to the zod message otherwise', () => {
    const union = z.union([z.literal('x'), z.boolean()]);
    expect(describeIssue(firstIssue(union, 3), union, false)).toBe(
      'must be one of x; or expected true or false',
    );
    expect(describeIssue(firstIssue(union, 3), undefined, false)).toBe('Invalid input');
    const tagged = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('a') })]);
    expect(describeIssue(firstIssue(tagged, { kind: 'b' }), tagged, false)).toBe(
      firstIssue(tagged, { kind: 'b' }).message,
    );
    const custom = z.string().refine(() => false, 'a custom rule');
    expect(describeIssue(firstIssue(custom, 'v'), custom, false)).toBe('a custom rule');
  });
});
