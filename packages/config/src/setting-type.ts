/** The parts of a JSON Schema (as `z.toJSONSchema` writes it) that say what a setting takes. */
export interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchemaNode | boolean;
  prefixItems?: JsonSchemaNode[];
  description?: string;
}

/**
 * What a setting takes, in words a person reads in a table: `integer 10..600000`, `integer >= 1`,
 * `URL`, `list of URLs`, `one of json | pretty`, `string or null`, `any` (unconstrained).
 */
export function describeJsonSchemaType(node: JsonSchemaNode): string {
  if (node.enum !== undefined) return `one of ${node.enum.map(showLiteral).join(' | ')}`;
  if (Object.hasOwn(node, 'const')) return `exactly ${showLiteral(node.const)}`;
  const options = node.anyOf ?? node.oneOf;
  if (options !== undefined) return options.map(describeJsonSchemaType).join(' or ');
  const types = node.type === undefined ? [] : [node.type].flat();
  if (types.length === 0) return 'any';
  return types.map((type) => describeType(type, node)).join(' or ');
}

function describeType(type: string, node: JsonSchemaNode): string {
  switch (type) {
    case 'integer':
    case 'number':
      return describeNumber(type, node);
    case 'string':
      if (node.format === undefined) return 'string';
      return node.format === 'uri' ? 'URL' : `string (${node.format})`;
    case 'array':
      return describeList(node);
    default:
      // boolean, object, null: their names say it.
      return type;
  }
}

function describeNumber(kind: string, node: JsonSchemaNode): string {
  const min = finite(node.minimum);
  const max = finite(node.maximum);
  if (min !== undefined && max !== undefined) return `${kind} ${min}..${max}`;
  const bounds = [
    min === undefined ? bound('>', node.exclusiveMinimum) : `>= ${min}`,
    max === undefined ? bound('<', node.exclusiveMaximum) : `<= ${max}`,
  ].filter((text) => text !== undefined);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

function bound(op: string, value: number | undefined): string | undefined {
  const limit = finite(value);
  return limit === undefined ? undefined : `${op} ${limit}`;
}

// zod gives every int its safe-integer range: not worth saying.
function finite(value: number | undefined): number | undefined {
  return value === undefined || Math.abs(value) >= Number.MAX_SAFE_INTEGER ? undefined : value;
}

function describeList(node: JsonSchemaNode): string {
  if (node.prefixItems !== undefined) {
    return `list [${node.prefixItems.map(describeJsonSchemaType).join(', ')}]`;
  }
  if (typeof node.items !== 'object') return 'list';
  return `list of ${plural(describeJsonSchemaType(node.items))}`;
}

/** `URL` → `URLs`, `integer >= 1` → `integers >= 1`; anything else is parenthesised. */
function plural(text: string): string {
  const match = /^(string|URL|integer|number|boolean|object|list)\b(.*)$/.exec(text);
  return match === null ? `(${text})` : `${match[1]}s${match[2]}`;
}

function showLiteral(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
