import { redactUrl as redactUrlPassword } from '@switchboard/logger';
import { type ConfigPath, matchesPattern } from './paths.ts';
import { type AnySchema, leafPaths, schemaAtPath } from './schema-walk.ts';
import { isPlainObject } from './values.ts';

/** The text that stands for a secret. */
export const REDACTED = '***';

/** Which settings are secret: fully (`secrets`) or only the password inside a URL (`secretUrls`). */
export interface SecretPatterns {
  secrets: readonly string[];
  secretUrls: readonly string[];
}

/**
 * A URL with its password (and password-like query parameters) replaced by `***`. A string that
 * is not a URL at all is replaced whole: it could be anything.
 */
export function redactUrl(value: string): string {
  return value.includes('://') ? redactUrlPassword(value) : REDACTED;
}

/** Shows a value of the setting at a path with its secrets replaced. */
export type Redactor = (path: ConfigPath, value: unknown) => unknown;

/**
 * A redactor for one schema: secrets are replaced, including secrets nested in an object or list
 * value (a section given as JSON, a record). A value that is not an object where the schema
 * expects a section holding secrets (say, broken JSON in `SB_NATS`) is replaced whole, since it
 * may spell one.
 */
export function createRedactor(schema: AnySchema, patterns: SecretPatterns): Redactor {
  const matches = (path: ConfigPath, list: readonly string[]) =>
    list.some((pattern) => matchesPattern(path, pattern));
  const redact: Redactor = (path, value) => {
    if (value === undefined || value === null) return value;
    if (matches(path, patterns.secrets)) return REDACTED;
    if (matches(path, patterns.secretUrls)) return redactUrls(value);
    if (Array.isArray(value)) return value.map((item) => redact(path, item));
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, redact([...path, key], item)]),
      );
    }
    const section = schemaAtPath(schema, path);
    // For a leaf, leafPaths is the path itself, already known not to be secret.
    const holdsSecret =
      section !== undefined &&
      leafPaths(section, path).some(
        (leaf) => matches(leaf, patterns.secrets) || matches(leaf, patterns.secretUrls),
      );
    return holdsSecret ? REDACTED : value;
  };
  return redact;
}

function redactUrls(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(redactUrls);
  return REDACTED;
}
