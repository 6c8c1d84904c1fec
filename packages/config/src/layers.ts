import type { ConfigSource } from '@switchboard/protocol';
import type { IssueSource } from './config-issue.ts';
import type { EnvOrigin } from './env-source.ts';
import { type ConfigPath, hasAtPath, isAtOrUnder, setAtPath, splitKey } from './paths.ts';
import { type AnySchema, defaultOf, schemaAtPath } from './schema-walk.ts';
import { deepMerge, type PlainObject } from './values.ts';

/** The inputs of a config, lowest precedence first (the schema's defaults lie under them all). */
export interface Layers {
  /** The service's sections of the config file (`{}` without one). */
  file: PlainObject;
  /** The file's path as `SWITCHBOARD_CONFIG` gave it; undefined without a file. */
  filePath: string | undefined;
  /** Env values, and which variable set which path (shallow paths first). */
  env: { values: PlainObject; origins: readonly EnvOrigin[] };
  /** Overrides in effect: dotted key → value. */
  overrides: ReadonlyMap<string, unknown>;
}

/** Overrides as one object tree. */
export function nestOverrides(overrides: ReadonlyMap<string, unknown>): PlainObject {
  let tree: PlainObject = {};
  for (const [key, value] of overrides) tree = setAtPath(tree, splitKey(key), value);
  return tree;
}

/** The input the schema parses: file < env < overrides, merged key by key. */
export function mergeLayers(layers: Layers): PlainObject {
  const merged = deepMerge(
    deepMerge(layers.file, layers.env.values),
    nestOverrides(layers.overrides),
  );
  return merged as PlainObject;
}

/** The layer that gave the value at `path`: the highest one holding it, else `default`. */
export function sourceAt(layers: Layers, path: ConfigPath): ConfigSource {
  if (hasAtPath(nestOverrides(layers.overrides), path)) return 'override';
  if (hasAtPath(layers.env.values, path)) return 'env';
  if (hasAtPath(layers.file, path)) return 'file';
  return 'default';
}

/**
 * Where the value at `path` came from, for an error message: the env variable's name, the file's
 * path, `default` when the schema supplied it, or `not set` when nothing did.
 */
export function issueSourceAt(layers: Layers, path: ConfigPath, schema: AnySchema): IssueSource {
  switch (sourceAt(layers, path)) {
    case 'override':
      return { kind: 'override' };
    case 'env': {
      // The deepest variable at or above the path (`SB_NATS__TLS__CA` over `SB_NATS__TLS` as
      // JSON): origins come shallow first, and the env layer holds the path, so one matches.
      const origins = layers.env.origins.filter((candidate) => isAtOrUnder(path, candidate.path));
      return { kind: 'env', name: (origins.at(-1) as EnvOrigin).name };
    }
    case 'file':
      // Only a file with a path gives the file layer values.
      return { kind: 'file', path: layers.filePath as string };
    case 'default': {
      const target = schemaAtPath(schema, path);
      return target !== undefined && defaultOf(target) !== undefined
        ? { kind: 'default' }
        : { kind: 'unset' };
    }
  }
}
