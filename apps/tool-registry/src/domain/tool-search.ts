/** What search reads of a tool. */
export interface SearchableTool {
  name: string;
  description: string;
  tags: readonly string[];
  inputSchema: unknown;
}

/** The weight of a query word found in each part of a tool. */
const WEIGHTS = { exactName: 20, name: 6, tag: 5, description: 3, schema: 1 } as const;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Every property name and description inside a JSON Schema, as words. */
function schemaWords(schema: unknown): Set<string> {
  const found = new Set<string>();
  const add = (text: string) => {
    for (const word of words(text)) found.add(word);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties' && value !== null && typeof value === 'object') {
          for (const property of Object.keys(value)) add(property);
        }
        if ((key === 'description' || key === 'title') && typeof value === 'string') {
          add(value);
        }
        walk(value);
      }
    }
  };
  walk(schema);
  return found;
}

/** A tool's relevance to `query`: weighted hits of its words in name, tags, description, schema. */
export function scoreTool(tool: SearchableTool, query: string): number {
  const queryWords = words(query);
  const nameWords = new Set(words(tool.name));
  const tagWords = new Set(tool.tags.flatMap(words));
  const descriptionWords = new Set(words(tool.description));
  const inSchema = schemaWords(tool.inputSchema);
  let score = tool.name.toLowerCase() === query.trim().toLowerCase() ? WEIGHTS.exactName : 0;
  for (const word of queryWords) {
    if (nameWords.has(word)) score += WEIGHTS.name;
    if (tagWords.has(word)) score += WEIGHTS.tag;
    if (descriptionWords.has(word)) score += WEIGHTS.description;
    if (inSchema.has(word)) score += WEIGHTS.schema;
  }
  return score;
}

/**
 * The tools that match, best first (ties by name): those carrying every tag in `tags`, and
 * with a query, only those it scores above zero. At most `limit`.
 */
export function searchTools<T extends SearchableTool>(
  tools: readonly T[],
  options: { query?: string | undefined; tags?: readonly string[] | undefined; limit: number },
): Array<{ tool: T; score: number }> {
  const tagged = tools.filter((tool) =>
    (options.tags ?? []).every((tag) => tool.tags.includes(tag)),
  );
  const query = options.query?.trim() ?? '';
  const scored = tagged.map((tool) => ({ tool, score: query === '' ? 0 : scoreTool(tool, query) }));
  return scored
    .filter((hit) => query === '' || hit.score > 0)
    .sort((a, b) => b.score - a.score || (a.tool.name < b.tool.name ? -1 : 1))
    .slice(0, options.limit);
}
