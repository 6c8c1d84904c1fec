import { createHash } from 'node:crypto';
import type { ToolDefinition } from '@switchboard/protocol';

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      // Keys of one object are distinct: never equal.
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash of what a name@version promises: description, schemas and tags (key order and tag
 * order do not matter). Two providers register "the same tool" when their hashes are equal.
 */
export function definitionHash(definition: ToolDefinition): string {
  const promised = {
    description: definition.description,
    inputSchema: definition.inputSchema,
    outputSchema: definition.outputSchema ?? null,
    tags: [...new Set(definition.tags)].sort(),
  };
  return createHash('sha256').update(canonicalJson(promised)).digest('hex');
}
