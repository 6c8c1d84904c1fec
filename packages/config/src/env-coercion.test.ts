import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coerceEnvValue } from './env-coercion.ts';

describe('coerceEnvValue', () => {
  it('reads numbers and integers, through defaults and optionals', () => {
    expect(coerceEnvValue(z.number(), '1.5')).toBe(1.5);
    expect(coerceEnvValue(z.int().min(1).default(3), '42')).toBe(42);
    expect(coerceEnvValue(z.number().optional().nullable(), '-7')).toBe(-7);
  });

  it('leaves a string that is not a number as it is, so the schema rejects it', () => {
    expect(coerceEnvValue(z.number(), 'abc')).toBe('abc');
    expect(coerceEnvValue(z.number(), '  ')).toBe('  ');
    expect(z.number().safeParse(coerceEnvValue(z.number(), 'abc')).success).toBe(false);
  });

  it('reads bigints, keeping what is not one', () => {
    expect(coerceEnvValue(z.bigint(), '9007199254740993')).toBe(9007199254740993n);
    expect(coerceEnvValue(z.bigint(), '1.5')).toBe('1.5');
  });

  it('reads booleans as true/false/1/0 in any case and leaves anything else', () => {
    expect(coerceEnvValue(z.boolean(), 'true')).toBe(true);
    expect(coerceEnvValue(z.boolean(), 'TRUE')).toBe(true);
    expect(coerceEnvValue(z.boolean(), '1')).toBe(true);
    expect(coerceEnvValue(z.boolean(), 'false')).toBe(false);
    expect(coerceEnvValue(z.boolean(), '0')).toBe(false);
    expect(coerceEnvValue(z.boolean(), 'yes')).toBe('yes');
  });

  it('reads a comma-separated list, each item by the element type', () => {
    expect(coerceEnvValue(z.array(z.string()), 'nats://a:4222, nats://b:4222')).toEqual([
      'nats://a:4222',
      'nats://b:4222',
    ]);
    expect(coerceEnvValue(z.array(z.int()), '1,2,x')).toEqual([1, 2, 'x']);
    expect(coerceEnvValue(z.array(z.string()).default([]), '')).toEqual([]);
  });

  it('reads a list given as a JSON array, keeping broken JSON as a string', () => {
    expect(coerceEnvValue(z.array(z.string()), '["a,b", "c"]')).toEqual(['a,b', 'c']);
    expect(coerceEnvValue(z.array(z.string()), '[broken')).toBe('[broken');
  });

  it('reads objects, records, tuples and unknown values as JSON', () => {
    expect(coerceEnvValue(z.strictObject({ a: z.number() }), '{"a":1}')).toEqual({ a: 1 });
    expect(coerceEnvValue(z.record(z.string(), z.number()), '{"x":2}')).toEqual({ x: 2 });
    expect(coerceEnvValue(z.tuple([z.number()]), '[3]')).toEqual([3]);
    expect(coerceEnvValue(z.unknown(), '{"y":true}')).toEqual({ y: true });
    expect(coerceEnvValue(z.any(), 'plain text')).toBe('plain text');
    expect(coerceEnvValue(z.strictObject({}), '{nope')).toBe('{nope');
  });

  it('keeps strings and enums as they are', () => {
    expect(coerceEnvValue(z.string(), ' 42 ')).toBe(' 42 ');
    expect(coerceEnvValue(z.enum(['info', 'debug']), 'debug')).toBe('debug');
  });

  it('reads a literal by its text', () => {
    expect(coerceEnvValue(z.literal(5), '5')).toBe(5);
    expect(coerceEnvValue(z.literal(true), 'true')).toBe(true);
    expect(coerceEnvValue(z.literal('on'), 'off')).toBe('off');
  });

  it('reads a union by the first option that accepts the string', () => {
    const frequency = z.union([z.enum(['daily', 'hourly']), z.int()]);
    expect(coerceEnvValue(frequency, 'daily')).toBe('daily');
    expect(coerceEnvValue(frequency, '3600000')).toBe(3_600_000);
    expect(coerceEnvValue(frequency, 'weekly')).toBe('weekly');
  });

  it('reads through pipes, transforms, lazy, readonly and catch wrappers', () => {
    expect(
      coerceEnvValue(
        z.number().transform((n) => n * 2),
        '4',
      ),
    ).toBe(4);
    expect(
      coerceEnvValue(
        z.lazy(() => z.boolean()),
        '1',
      ),
    ).toBe(true);
    expect(coerceEnvValue(z.number().readonly(), '3')).toBe(3);
    expect(coerceEnvValue(z.number().catch(0), '8')).toBe(8);
    expect(coerceEnvValue(z.number().prefault(1), '9')).toBe(9);
    expect(coerceEnvValue(z.number().optional().nonoptional(), '10')).toBe(10);
  });
});
