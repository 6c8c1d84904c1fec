import { z } from 'zod';
import type { ConfigIssue } from './config-issue.ts';
import type { AnyServiceConfig, ConfigOf } from './define.ts';
import { describeIssue } from './describe-issue.ts';
import { envNameOf } from './env-source.ts';
import { issueSourceAt, type Layers, mergeLayers } from './layers.ts';
import {
  type AnySchema,
  defaultOf,
  objectShape,
  schemaAtIssuePath,
  schemaAtPath,
} from './schema-walk.ts';
import { isPlainObject } from './values.ts';

/** A parsed config, or every reason it did not parse. */
export type Resolution<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

/** Parses the merged layers with the service's schema; on failure, names every bad key. */
export function resolveConfig<D extends AnyServiceConfig>(
  config: D,
  layers: Layers,
): Resolution<ConfigOf<D>> {
  const input = mergeLayers(layers);
  const result = z.safeParse(config.schema, input);
  if (result.success) return { ok: true, value: result.data as ConfigOf<D> };
  return { ok: false, issues: toConfigIssues(result.error, config, layers, input) };
}

/** zod issues → config issues, each with its key, source, redacted value and what is allowed. */
export function toConfigIssues(
  error: z.ZodError,
  config: AnyServiceConfig,
  layers: Layers,
  input: unknown,
): ConfigIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => unknownKeyIssue([...issue.path, key], config, layers, input))
      : [toConfigIssue(issue, config, layers, input)],
  );
}

function toConfigIssue(
  issue: z.core.$ZodIssue,
  config: AnyServiceConfig,
  layers: Layers,
  input: unknown,
): ConfigIssue {
  const settingPath = settingPathOf(issue.path);
  const source = issueSourceAt(layers, settingPath, config.schema);
  const isMissing = source.kind === 'unset';
  let message = describeIssue(issue, schemaAtIssuePath(config.schema, issue.path), isMissing);
  if (isMissing && issue.code === 'invalid_type') {
    message += `; set it in the file or ${envNameOf(settingPath)}`;
  }
  const found = valueAt(input, issue.path);
  // A `default` source means the schema at the path exists and has a default.
  const fallback =
    source.kind === 'default' && settingPath.length === issue.path.length
      ? defaultOf(schemaAtPath(config.schema, settingPath) as AnySchema)
      : undefined;
  const shown = found ?? fallback;
  const base = { key: formatKey(issue.path), source, message };
  return shown === undefined ? base : { ...base, value: config.redact(settingPath, shown.value) };
}

function unknownKeyIssue(
  path: readonly PropertyKey[],
  config: AnyServiceConfig,
  layers: Layers,
  input: unknown,
): ConfigIssue {
  const settingPath = settingPathOf(path);
  const parent = path.slice(0, -1);
  // zod reported the key on an object it parsed, so both the schema and the value exist.
  const shape = objectShape(schemaAtIssuePath(config.schema, parent) as AnySchema);
  const known = Object.keys(shape as Record<string, unknown>);
  const where = parent.length === 0 ? 'at the top level' : `under ${formatKey(parent)}`;
  const found = valueAt(input, path) as { value: unknown };
  return {
    key: formatKey(path),
    source: issueSourceAt(layers, settingPath, config.schema),
    message: `unknown setting; known keys ${where}: ${known.join(', ')}`,
    value: config.redact(settingPath, found.value),
  };
}

/** The leading key segments of an issue path (the setting; list indices follow it). */
function settingPathOf(path: readonly PropertyKey[]): string[] {
  const index = path.findIndex((segment) => typeof segment !== 'string');
  return (index === -1 ? path : path.slice(0, index)).map(String);
}

/** `nats.servers[1]`. */
function formatKey(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** `{ value }` at a path through objects and lists, or undefined when nothing is there. */
function valueAt(root: unknown, path: readonly PropertyKey[]): { value: unknown } | undefined {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') {
      node = node[segment];
    } else if (isPlainObject(node) && typeof segment === 'string' && Object.hasOwn(node, segment)) {
      node = node[segment];
    } else {
      return undefined;
    }
  }
  return { value: node };
}
