import { z } from 'zod';
import { type AnySchema, unwrapSchema } from './schema-walk.ts';

type Def = z.core.$ZodTypes['_zod']['def'];

/**
 * Reads an env var's string as the type the schema expects at its path. A string that does not
 * read as that type is returned unchanged, so the schema rejects it and the error names the
 * variable and what it allows (never a silent NaN or `false`).
 *
 * - number / int: `Number(raw)` (blank or NaN stays a string); bigint: `BigInt(raw)`
 * - boolean: `true` / `false` / `1` / `0` (any case)
 * - array: a JSON array when it starts with `[`, else a comma-separated list; each element is
 *   read by the element type; an empty string is an empty list
 * - literal: the literal whose text matches (so `z.literal(5)` takes `"5"`)
 * - union: the first option that accepts its reading of the string
 * - object / record / tuple / unknown / any: JSON (unknown and any keep a non-JSON string)
 * - string / enum / anything else: as is
 */
export function coerceEnvValue(schema: AnySchema, raw: string): unknown {
  const def = (unwrapSchema(schema) as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'number':
      return raw.trim() === '' || Number.isNaN(Number(raw)) ? raw : Number(raw);
    case 'bigint':
      return readBigInt(raw);
    case 'boolean':
      return readBoolean(raw);
    case 'array':
      return readList(def, raw);
    case 'literal':
      return def.values.find((value) => String(value) === raw) ?? raw;
    case 'union':
      return readUnion(def.options, raw);
    case 'object':
    case 'record':
    case 'tuple':
    case 'unknown':
    case 'any':
      return readJson(raw);
    default:
      return raw;
  }
}

function readBigInt(raw: string): unknown {
  try {
    return BigInt(raw);
  } catch {
    return raw;
  }
}

function readBoolean(raw: string): unknown {
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return raw;
}

function readList(def: Extract<Def, { type: 'array' }>, raw: string): unknown {
  if (raw.trim().startsWith('[')) return readJson(raw);
  if (raw.trim() === '') return [];
  return raw.split(',').map((item) => coerceEnvValue(def.element, item.trim()));
}

function readUnion(options: readonly AnySchema[], raw: string): unknown {
  for (const option of options) {
    const value = coerceEnvValue(option, raw);
    if (z.safeParse(option, value).success) return value;
  }
  return raw;
}

function readJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
