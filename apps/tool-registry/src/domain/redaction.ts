import type { JsonValue } from '@switchboard/protocol';

/** How audit records keep call arguments: all, with named keys masked, or none at all. */
export interface RedactionRule {
  mode: 'keys' | 'all' | 'none';
  /** Property names masked at any depth (case-insensitive) in `keys` mode. */
  keys: readonly string[];
}

/** What a masked value becomes. */
export const REDACTED = '[redacted]';

/**
 * The arguments as the audit trail keeps them: `none` keeps them as they are, `all` keeps
 * nothing (null), `keys` replaces the value of every property whose name is listed, at any
 * depth, arrays included.
 */
export function redactArguments(args: JsonValue, rule: RedactionRule): JsonValue {
  if (rule.mode === 'all') return null;
  if (rule.mode === 'none') return args;
  const masked = new Set(rule.keys.map((key) => key.toLowerCase()));
  const walk = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, field]) => [
          key,
          masked.has(key.toLowerCase()) ? REDACTED : walk(field as JsonValue),
        ]),
      );
    }
    return value;
  };
  return walk(args);
}
