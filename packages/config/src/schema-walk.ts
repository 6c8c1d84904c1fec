import type { z } from 'zod';
import type { ConfigPath } from './paths.ts';

/** Any zod 4 schema (classic or mini). */
export type AnySchema = z.core.$ZodType;

type Def = z.core.$ZodTypes['_zod']['def'];

function defOf(schema: AnySchema): Def {
  return (schema as z.core.$ZodTypes)._zod.def;
}

/**
 * The schema under the wrappers that do not change what a value looks like (optional, nullable,
 * default, prefault, readonly, catch, non-optional, lazy) and the input side of a pipe or
 * transform: the schema that decides how an env string is read and where a path leads.
 */
export function unwrapSchema(schema: AnySchema): AnySchema {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        node = def.innerType;
        break;
      case 'pipe':
        node = def.in;
        break;
      case 'lazy':
        node = def.getter();
        break;
      default:
        return node;
    }
  }
}

/** The shape of an object schema (after unwrapping), or undefined for anything else. */
export function objectShape(schema: AnySchema): Readonly<Record<string, AnySchema>> | undefined {
  const def = defOf(unwrapSchema(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** The schema at `path` under an object schema, or undefined when the path names no setting. */
export function schemaAtPath(schema: AnySchema, path: ConfigPath): AnySchema | undefined {
  let node: AnySchema = schema;
  for (const segment of path) {
    const shape = objectShape(node);
    // hasOwn: a key such as `toString` must not reach Object.prototype.
    if (shape === undefined || !Object.hasOwn(shape, segment)) return undefined;
    node = shape[segment] as AnySchema;
  }
  return node;
}

/**
 * The schema at a zod issue path, which may step into list elements (numeric segments), or
 * undefined when the path leaves the schema.
 */
export function schemaAtIssuePath(
  schema: AnySchema,
  path: readonly PropertyKey[],
): AnySchema | undefined {
  let node: AnySchema = schema;
  for (const segment of path) {
    const def = (unwrapSchema(node) as z.core.$ZodTypes)._zod.def;
    if (typeof segment === 'number' && def.type === 'array') {
      node = def.element;
      continue;
    }
    const child = typeof segment === 'string' ? schemaAtPath(node, [segment]) : undefined;
    if (child === undefined) return undefined;
    node = child;
  }
  return node;
}

/**
 * Every setting under an object schema: the paths of its leaves, walking nested objects
 * (optional ones too). Arrays, records, unions and scalars are leaves.
 */
export function leafPaths(schema: AnySchema, prefix: ConfigPath = []): string[][] {
  const shape = objectShape(schema);
  if (shape === undefined) return [[...prefix]];
  return Object.entries(shape).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/**
 * The default a schema supplies when its value is absent (from `.default()` or `.prefault()`),
 * as `{ value }`, or undefined when it has none (an absent value is then missing or optional).
 */
export function defaultOf(schema: AnySchema): { value: unknown } | undefined {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    switch (def.type) {
      case 'default':
      case 'prefault':
        return { value: def.defaultValue };
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        node = def.innerType;
        break;
      case 'pipe':
        node = def.in;
        break;
      default:
        return undefined;
    }
  }
}

/**
 * Paths of the object schemas under `schema` (itself included) that accept unknown keys. Config
 * objects must be strict, so a misspelt key is an error rather than a silent no-op.
 */
export function looseObjectPaths(schema: AnySchema, prefix: ConfigPath = []): string[][] {
  const node = unwrapSchema(schema) as z.core.$ZodTypes;
  if (node._zod.def.type !== 'object') return [];
  const { catchall, shape } = node._zod.def;
  const here = catchall?._zod.def.type === 'never' ? [] : [[...prefix]];
  return [
    ...here,
    ...Object.entries(shape).flatMap(([key, child]) => looseObjectPaths(child, [...prefix, key])),
  ];
}
