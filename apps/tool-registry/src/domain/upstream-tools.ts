import { type JsonValue, SbError, type ToolDefinition } from '@switchboard/protocol';
import semver from 'semver';

/** The part of an MCP tool listing the import reads. */
export interface McpToolLike {
  name: string;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown> | undefined;
}

/** An imported tool: its catalog definition and its name on the upstream server. */
export interface ImportedTool {
  definition: ToolDefinition;
  upstreamName: string;
}

const MAX_NAME = 128;

/**
 * The catalog name of an upstream tool: `<server>.<tool>`, with every character a tool name
 * cannot hold replaced by `_` and empty dot-separated tokens dropped.
 */
export function importedName(server: string, toolName: string): string | undefined {
  const tokens = toolName
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .split('.')
    .filter((token) => token.length > 0);
  if (tokens.length === 0) return undefined;
  const name = [server, ...tokens].join('.');
  return name.length > MAX_NAME ? undefined : name;
}

/** The version imported tools get: the server's own version when semver-like, else 0.0.0. */
export function importedVersion(serverVersion: string | undefined): string {
  return semver.coerce(serverVersion ?? '')?.version ?? '0.0.0';
}

/**
 * Maps an upstream listing to catalog definitions, skipping tools whose names cannot be
 * mapped (or that map onto a name already taken in the listing).
 */
export function importTools(
  server: string,
  serverVersion: string | undefined,
  tools: readonly McpToolLike[],
): ImportedTool[] {
  const version = importedVersion(serverVersion);
  const seen = new Set<string>();
  const imported: ImportedTool[] = [];
  for (const tool of tools) {
    const name = importedName(server, tool.name);
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    imported.push({
      upstreamName: tool.name,
      definition: {
        name,
        version,
        description: tool.description ?? '',
        inputSchema: tool.inputSchema as Record<string, JsonValue>,
        ...(tool.outputSchema === undefined
          ? {}
          : { outputSchema: tool.outputSchema as Record<string, JsonValue> }),
        tags: ['mcp', server.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')],
      },
    });
  }
  return imported;
}

/** The part of an MCP `tools/call` result the proxy reads. */
export interface McpCallResultLike {
  content?: ReadonlyArray<{ type: string; text?: string }> | undefined;
  structuredContent?: Record<string, unknown> | undefined;
  isError?: boolean | undefined;
}

/**
 * The result of a proxied call: its structured content when there is one; else its text
 * (the only item's text, or every item's text); else the content blocks themselves.
 * @throws SbError `E_INTERNAL` with the upstream's text when the tool reported an error.
 */
export function resultOfMcpCall(result: McpCallResultLike): JsonValue {
  const content = result.content ?? [];
  const texts = content.flatMap((item) =>
    item.type === 'text' && item.text !== undefined ? [item.text] : [],
  );
  if (result.isError === true) {
    throw new SbError('E_INTERNAL', `the upstream tool failed: ${texts.join(' ') || 'no message'}`);
  }
  if (result.structuredContent !== undefined) return result.structuredContent as JsonValue;
  if (texts.length === content.length) return texts.length === 1 ? (texts[0] as string) : texts;
  return content as unknown as JsonValue;
}
