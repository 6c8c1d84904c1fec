import { z } from 'zod';
import { type AnySchema, unwrapSchema } from './schema-walk.ts';

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  array: 'a list (in env: comma-separated)',
  object: 'an object (in env: JSON)',
  record: 'an object (in env: JSON)',
};

/** `an integer from 1 to 100` for a number schema, else undefined. */
function describeNumber(schema: AnySchema | undefined): string | undefined {
  const node = schema === undefined ? undefined : unwrapSchema(schema);
  if (!(node instanceof z.ZodNumber)) return undefined;
  const kind = node.isInt ? 'an integer' : 'a number';
  const min = finite(node.minValue);
  const max = finite(node.maxValue);
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

// zod reports an int's implicit bounds as ±MAX_SAFE_INTEGER: not worth saying.
function finite(bound: number | null): number | undefined {
  return bound === null || Math.abs(bound) >= Number.MAX_SAFE_INTEGER ? undefined : bound;
}

function describeType(expected: string, schema: AnySchema | undefined): string {
  return describeNumber(schema) ?? TYPE_NAMES[expected] ?? expected;
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const isMin = issue.code === 'too_small';
  const limit = isMin ? issue.minimum : issue.maximum;
  const op = `${isMin ? '>' : '<'}${issue.inclusive ? '=' : ''}`;
  if (issue.origin === 'string') return `must have ${op} ${limit} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return `must have ${op} ${limit} items`;
  return `must be ${op} ${limit}`;
}

/**
 * What a person needs to fix a zod issue: what is allowed, in words (`must be an integer from 1
 * to 100`, `must be one of json, pretty`). `schema` is the schema at the issue's path, which knows
 * the whole allowed range; `isMissing` says no value was given.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  schema: AnySchema | undefined,
  isMissing: boolean,
): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = describeType(issue.expected, schema);
      return isMissing ? `required: ${expected}` : `expected ${expected}`;
    }
    case 'too_small':
    case 'too_big': {
      const range = describeNumber(schema);
      return range === undefined ? describeBound(issue) : `must be ${range}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_union': {
      const node = schema === undefined ? undefined : unwrapSchema(schema);
      // A discriminated union with no matching discriminator reports no branch errors.
      if (!(node instanceof z.ZodUnion) || issue.errors.length === 0) return issue.message;
      const options = node._zod.def.options;
      const branches = issue.errors.map((errors, index) =>
        describeIssue(errors[0] as z.core.$ZodIssue, options[index], false),
      );
      return branches.join('; or ');
    }
    default:
      return issue.message;
  }
}
