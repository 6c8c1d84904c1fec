import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeJsonSchemaType, type JsonSchemaNode } from './setting-type.ts';

function typeOf(schema: z.core.$ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return describeJsonSchemaType(json);
}

describe('describeJsonSchemaType', () => {
  it('names integer and number ranges, leaving out the implicit safe-integer bounds', () => {
    expect(typeOf(z.int().min(100).max(120_000))).toBe('integer 100..120000');
    expect(typeOf(z.number().int().min(0).max(65_535))).toBe('integer 0..65535');
    expect(typeOf(z.int().min(1))).toBe('integer >= 1');
    expect(typeOf(z.int().max(9))).toBe('integer <= 9');
    expect(typeOf(z.int())).toBe('integer');
    expect(typeOf(z.number())).toBe('number');
    expect(typeOf(z.number().gt(0).lt(1))).toBe('number > 0 and < 1');
    expect(typeOf(z.number().min(0).lt(1))).toBe('number >= 0 and < 1');
  });

  it('names strings, URLs and other string formats', () => {
    expect(typeOf(z.string().min(1))).toBe('string');
    expect(typeOf(z.url())).toBe('URL');
    expect(typeOf(z.email())).toBe('string (email)');
  });

  it('lists the allowed values of an enum or literal', () => {
    expect(typeOf(z.enum(['json', 'pretty']))).toBe('one of json | pretty');
    expect(typeOf(z.literal([1, 'x']))).toBe('one of 1 | x');
    expect(typeOf(z.literal('only'))).toBe('exactly only');
    expect(typeOf(z.literal(5))).toBe('exactly 5');
  });

  it('joins the options of a union or a nullable type with or', () => {
    const frequency = z.union([z.enum(['daily', 'hourly']), z.int().min(1000)]);
    expect(typeOf(frequency)).toBe('one of daily | hourly or integer >= 1000');
    expect(typeOf(z.string().nullable())).toBe('string or null');
    expect(describeJsonSchemaType({ oneOf: [{ type: 'boolean' }, { type: 'object' }] })).toBe(
      'boolean or object',
    );
  });

  it('names lists by their element, in the plural when it reads well', () => {
    expect(typeOf(z.array(z.url()))).toBe('list of URLs');
    expect(typeOf(z.array(z.int().min(1)))).toBe('list of integers >= 1');
    expect(typeOf(z.array(z.array(z.string())))).toBe('list of lists of strings');
    expect(typeOf(z.array(z.enum(['a', 'b'])))).toBe('list of (one of a | b)');
    expect(typeOf(z.tuple([z.string(), z.boolean()]))).toBe('list [string, boolean]');
    expect(describeJsonSchemaType({ type: 'array' })).toBe('list');
  });

  it('names the other JSON types, and any for a schema without constraints', () => {
    expect(typeOf(z.boolean())).toBe('boolean');
    expect(typeOf(z.record(z.string(), z.string()))).toBe('object');
    expect(typeOf(z.unknown())).toBe('any');
    expect(typeOf(z.string().transform(Number))).toBe('string');
  });
});
