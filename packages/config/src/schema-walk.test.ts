import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultOf,
  leafPaths,
  looseObjectPaths,
  objectShape,
  schemaAtIssuePath,
  schemaAtPath,
  unwrapSchema,
} from './schema-walk.ts';

const schema = z.strictObject({
  a: z.strictObject({ b: z.number().default(1), c: z.string().optional() }).prefault({}),
  list: z.array(z.strictObject({ url: z.string() })).default([]),
  tags: z.record(z.string(), z.string()).default({}),
  lazy: z.lazy(() => z.strictObject({ x: z.boolean() })),
});

describe('schema walking', () => {
  it('unwraps wrappers down to the schema that decides the shape', () => {
    const inner = z.number();
    expect(unwrapSchema(inner.optional().nullable().default(1).readonly())).toBe(inner);
    expect(unwrapSchema(inner.catch(0).prefault(2))).toBe(inner);
    expect(unwrapSchema(inner.optional().nonoptional())).toBe(inner);
    expect(unwrapSchema(inner.transform(String))).toBe(inner);
    expect(unwrapSchema(z.lazy(() => inner))).toBe(inner);
  });

  it('finds the schema at a path and nothing off the schema', () => {
    expect(schemaAtPath(schema, ['a', 'b'])).toBe(schema.shape.a.unwrap().shape.b);
    expect(schemaAtPath(schema, ['a', 'zz'])).toBeUndefined();
    expect(schemaAtPath(schema, ['a', 'b', 'c'])).toBeUndefined();
    expect(schemaAtPath(schema, ['toString'])).toBeUndefined();
    expect(objectShape(z.string())).toBeUndefined();
  });

  it('finds the schema at an issue path through list elements', () => {
    expect(unwrapSchema(schemaAtIssuePath(schema, ['list', 0, 'url']) as z.ZodType)).toBeInstanceOf(
      z.ZodString,
    );
    expect(schemaAtIssuePath(schema, ['a', 0])).toBeUndefined();
    expect(schemaAtIssuePath(schema, [Symbol('x')])).toBeUndefined();
  });

  it('lists the leaves: nested objects are walked, lists and records are leaves', () => {
    expect(leafPaths(schema)).toEqual([['a', 'b'], ['a', 'c'], ['list'], ['tags'], ['lazy', 'x']]);
  });

  it('reads defaults and prefaults through wrappers', () => {
    expect(defaultOf(z.number().default(3).optional())).toEqual({ value: 3 });
    expect(defaultOf(z.strictObject({}).prefault({}))).toEqual({ value: {} });
    expect(defaultOf(z.string().default('x').transform(Number))).toEqual({ value: 'x' });
    expect(defaultOf(z.number().optional())).toBeUndefined();
    expect(defaultOf(z.number().nullable().readonly().catch(null).optional().nonoptional())).toBe(
      undefined,
    );
  });

  it('finds objects that accept unknown keys', () => {
    expect(looseObjectPaths(schema)).toEqual([]);
    const loose = z.strictObject({
      a: z.object({ b: z.looseObject({}) }).optional(),
      n: z.number(),
    });
    expect(looseObjectPaths(loose)).toEqual([['a'], ['a', 'b']]);
  });
});
