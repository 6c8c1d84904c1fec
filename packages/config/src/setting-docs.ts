import { z } from 'zod';
import type { AnyServiceConfig } from './define.ts';
import { envNameOf } from './env-source.ts';
import { type ConfigPath, getAtPath, joinKey, matchesPattern } from './paths.ts';
import { type AnySchema, defaultOf, leafPaths, schemaAtPath, unwrapSchema } from './schema-walk.ts';
import { describeJsonSchemaType, type JsonSchemaNode } from './setting-type.ts';
import { isLivePath } from './settings.ts';

/** What the docs say about one setting. */
export interface SettingDoc {
  /** Dotted key (`nats.requestTimeoutMs`): the file path and the override key. */
  key: string;
  /** Its env variable (`SB_NATS__REQUEST_TIMEOUT_MS`). */
  envName: string;
  /** What it takes, in words: `integer 10..600000`, `list of strings`, `one of json | pretty`. */
  type: string;
  /** The default as text (strings bare, the rest JSON; secrets redacted), or `—` without one. */
  defaultText: string;
  /** Changes without a restart. */
  isLive: boolean;
  /** Read before the override store opens: an override may not set it (file or env only). */
  isBootstrap: boolean;
  /** Never shown: reports, errors and logs replace it with `***`. */
  isSecret: boolean;
  /** The schema's description (`.describe()` or `.meta({ description })`), when it has one. */
  description?: string;
}

/** The text that stands for "no default". */
export const NO_DEFAULT = '—';

/**
 * Every setting of a service config definition (each leaf of its schema, in declaration order)
 * with what the docs show about it, derived from the schema so the docs cannot drift from it.
 */
export function describeSettings(definition: AnyServiceConfig): SettingDoc[] {
  return leafPaths(definition.schema).map((path) => {
    // A leaf path comes from the schema, so a schema is there.
    const schema = schemaAtPath(definition.schema, path) as AnySchema;
    const json = jsonSchemaOf(schema);
    const doc: SettingDoc = {
      key: joinKey(path),
      envName: envNameOf(path),
      type: describeJsonSchemaType(json),
      defaultText: defaultText(definition, path),
      isLive: isLivePath(definition, path),
      isBootstrap: definition.bootstrap.some((pattern) => matchesPattern(path, pattern)),
      isSecret: definition.secrets.secrets.some((pattern) => matchesPattern(path, pattern)),
    };
    if (typeof json.description === 'string') doc.description = json.description;
    return doc;
  });
}

/**
 * The JSON Schema of a setting, as a person writes it (io `input`; what JSON Schema cannot say,
 * such as a transform, reads as any). zod throws on a default JSON cannot spell (a symbol): the
 * schema without its wrappers still says what the setting takes.
 */
function jsonSchemaOf(schema: AnySchema): JsonSchemaNode {
  const options = { io: 'input', unrepresentable: 'any' } as const;
  try {
    return z.toJSONSchema(schema, options) as JsonSchemaNode;
  } catch {
    return z.toJSONSchema(unwrapSchema(schema), options) as JsonSchemaNode;
  }
}

/**
 * The setting's own default, else the one a section above it supplies (`.default({ ... })` on an
 * object), shown redacted.
 */
function defaultText(definition: AnyServiceConfig, path: ConfigPath): string {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const found = defaultOf(schemaAtPath(definition.schema, path.slice(0, depth)) as AnySchema);
    const value = found === undefined ? undefined : getAtPath(found.value, path.slice(depth));
    if (value !== undefined) return showValue(definition.redact(path, value));
  }
  return NO_DEFAULT;
}

/** Strings bare (unless empty), the rest as JSON. */
function showValue(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'bigint') return value.toString();
  const json: string | undefined = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
  // A default that JSON cannot spell (a function, a symbol): say what it is.
  return json ?? typeof value;
}
