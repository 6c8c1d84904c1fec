import { describe, expect, it } from 'vitest';
import { scoreTool, searchTools } from './tool-search.ts';

const tool = (
  name: string,
  description: string,
  tags: string[] = [],
  properties: Record<string, unknown> = {},
) => ({
  name,
  description,
  tags,
  inputSchema: { type: 'object', properties },
});

const catalog = [
  tool('github.create_issue', 'Opens an issue in a repository', ['github', 'issues'], {
    title: { type: 'string', description: 'Issue title' },
  }),
  tool('jira.create_ticket', 'Creates a ticket', ['jira'], { summary: { type: 'string' } }),
  tool('weather.forecast', 'Weather forecast for a city', ['weather'], {
    city: { type: 'string' },
  }),
  tool('math.add', 'Adds numbers', ['math']),
];

describe('searchTools', () => {
  it('ranks name hits above tag, description and schema hits', () => {
    const hits = searchTools(catalog, { query: 'create issue', limit: 10 });
    expect(hits.map((hit) => hit.tool.name)).toEqual(['github.create_issue', 'jira.create_ticket']);
  });

  it('finds tools by words of their schemas and descriptions', () => {
    expect(searchTools(catalog, { query: 'city', limit: 10 }).map((hit) => hit.tool.name)).toEqual([
      'weather.forecast',
    ]);
  });

  it('keeps only tools with every tag; without a query, all of them by name', () => {
    expect(
      searchTools(catalog, { tags: ['github', 'issues'], limit: 10 }).map((h) => h.tool.name),
    ).toEqual(['github.create_issue']);
    expect(searchTools(catalog, { limit: 2 }).map((hit) => hit.tool.name)).toEqual([
      'github.create_issue',
      'jira.create_ticket',
    ]);
  });

  it('finds nothing for words no tool has', () => {
    expect(searchTools(catalog, { query: 'teleport', limit: 10 })).toEqual([]);
  });
});

describe('scoreTool', () => {
  it('gives an exact name the highest score, and walks nested schemas', () => {
    expect(scoreTool(catalog[3] as never, 'math.add')).toBeGreaterThan(
      scoreTool(catalog[3] as never, 'add'),
    );
    const nested = tool('deep', '', [], {
      filter: { type: 'object', properties: { owner: { type: 'string' } } },
      tags: { type: 'array', items: [{ title: 'Label name' }] },
    });
    expect(scoreTool(nested, 'owner')).toBe(1);
    expect(scoreTool(nested, 'label')).toBe(1);
  });
});
