import { describe, expect, it } from 'vitest';
import { importedName, importedVersion, importTools, resultOfMcpCall } from './upstream-tools.ts';

describe('importedName', () => {
  it('prefixes the server and replaces what a tool name cannot hold', () => {
    expect(importedName('gh', 'create_issue')).toBe('gh.create_issue');
    expect(importedName('gh', 'repo/list files')).toBe('gh.repo_list_files');
    expect(importedName('gh', '..a..b.')).toBe('gh.a.b');
  });

  it('gives up on names that map to nothing or grow too long', () => {
    expect(importedName('gh', '...')).toBeUndefined();
    expect(importedName('gh', 'x'.repeat(130))).toBeUndefined();
  });
});

describe('importedVersion', () => {
  it("uses the server's version when semver-like, else 0.0.0", () => {
    expect(importedVersion('2.3.1')).toBe('2.3.1');
    expect(importedVersion('v1.2')).toBe('1.2.0');
    expect(importedVersion('latest')).toBe('0.0.0');
    expect(importedVersion(undefined)).toBe('0.0.0');
  });
});

describe('importTools', () => {
  it('maps a listing to definitions, skipping unmappable and colliding names', () => {
    const tools = importTools('Up', '1.0.0', [
      { name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } },
      { name: 'sum', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } },
      { name: 'e/cho', inputSchema: { type: 'object' } },
      { name: 'e_cho', inputSchema: { type: 'object' } },
      { name: '...', inputSchema: { type: 'object' } },
    ]);
    expect(tools).toEqual([
      {
        upstreamName: 'echo',
        definition: {
          name: 'Up.echo',
          version: '1.0.0',
          description: 'Echoes',
          inputSchema: { type: 'object' },
          tags: ['mcp', 'up'],
        },
      },
      {
        upstreamName: 'sum',
        definition: {
          name: 'Up.sum',
          version: '1.0.0',
          description: '',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object' },
          tags: ['mcp', 'up'],
        },
      },
      expect.objectContaining({ upstreamName: 'e/cho' }),
    ]);
  });
});

describe('resultOfMcpCall', () => {
  it('prefers structured content', () => {
    expect(
      resultOfMcpCall({ content: [{ type: 'text', text: '{}' }], structuredContent: { a: 1 } }),
    ).toEqual({ a: 1 });
  });

  it('reads text content: one item as a string, several as a list', () => {
    expect(resultOfMcpCall({ content: [{ type: 'text', text: 'hi' }] })).toBe('hi');
    expect(
      resultOfMcpCall({
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toEqual(['a', 'b']);
    expect(resultOfMcpCall({})).toEqual([]);
  });

  it('keeps other content blocks as they are', () => {
    const image = { type: 'image', data: 'AAAA', mimeType: 'image/png' };
    expect(resultOfMcpCall({ content: [image] })).toEqual([image]);
  });

  it("turns the upstream's error result into E_INTERNAL with its text", () => {
    expect(() =>
      resultOfMcpCall({ isError: true, content: [{ type: 'text', text: 'boom' }] }),
    ).toThrow(
      expect.objectContaining({ code: 'E_INTERNAL', message: 'the upstream tool failed: boom' }),
    );
    expect(() => resultOfMcpCall({ isError: true })).toThrow('no message');
  });
});
