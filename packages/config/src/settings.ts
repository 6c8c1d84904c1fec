import { SbError } from '@switchboard/protocol';
import type { AnyServiceConfig } from './define.ts';
import { envNameOf } from './env-source.ts';
import { type ConfigPath, joinKey, matchesPattern, splitKey } from './paths.ts';
import { objectShape, schemaAtPath } from './schema-walk.ts';

/** True when the setting at `path` changes without a restart. */
export function isLivePath(config: AnyServiceConfig, path: ConfigPath): boolean {
  return config.live.some((pattern) => matchesPattern(path, pattern));
}

/**
 * The path of the setting `key` names, or `E_NOT_FOUND` naming the keys that do exist where the
 * key went astray. A setting is a leaf of the schema (a section is not one).
 */
export function findSetting(config: AnyServiceConfig, key: string): string[] {
  const path = splitKey(key);
  const schema = schemaAtPath(config.schema, path);
  if (schema !== undefined && objectShape(schema) === undefined) return path;
  const sectionAt = (at: ConfigPath) => {
    const node = schemaAtPath(config.schema, at);
    return node === undefined ? undefined : objectShape(node);
  };
  // The root is a section, so the walk up always ends.
  let known = path.length;
  while (sectionAt(path.slice(0, known)) === undefined) known -= 1;
  const parent = path.slice(0, known);
  const children = Object.keys(sectionAt(parent) as Record<string, unknown>);
  const where = known === 0 ? 'the top level' : joinKey(parent);
  const list = children.map((child) => joinKey([...parent, child])).join(', ');
  throw new SbError('E_NOT_FOUND', `unknown setting "${key}"; known keys under ${where}: ${list}`, {
    details: { key },
  });
}

/**
 * Refuses (`E_VALIDATION`) a setting an override may not set: one read before the override store
 * opens, or a secret (keys, tokens), which the store would keep in clear in the NATS KV bucket
 * that every service of the namespace reads.
 */
export function assertOverridable(config: AnyServiceConfig, path: ConfigPath): void {
  if (config.bootstrap.some((pattern) => matchesPattern(path, pattern))) {
    throw new SbError(
      'E_VALIDATION',
      `${joinKey(path)} cannot be overridden: it is read before the override store opens; set it in the config file or env (${envNameOf(path)})`,
      { details: { key: joinKey(path) } },
    );
  }
  if (config.secrets.secrets.some((pattern) => matchesPattern(path, pattern))) {
    throw new SbError(
      'E_VALIDATION',
      `${joinKey(path)} cannot be overridden: it is a secret, and overrides are stored in clear in the NATS KV bucket; set it in the config file, a key file or env (${envNameOf(path)})`,
      { details: { key: joinKey(path) } },
    );
  }
}
