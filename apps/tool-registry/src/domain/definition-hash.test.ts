import type { ToolDefinition } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { canonicalJson, definitionHash } from './definition-hash.ts';

const definition: ToolDefinition = {
  name: 'search.web',
  version: '1.0.0',
  description: 'Searches the web',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  tags: ['search', 'web'],
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops undefined fields', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x', u: undefined })).toBe(
      '{"a":"x","b":[2,{"c":null,"d":1}]}',
    );
  });
});

describe('definitionHash', () => {
  it('is the same for the same definition written in another key or tag order', () => {
    const reordered: ToolDefinition = {
      ...definition,
      tags: ['web', 'search', 'web'],
      inputSchema: { required: ['q'], properties: { q: { type: 'string' } }, type: 'object' },
    };
    expect(definitionHash(reordered)).toBe(definitionHash(definition));
  });

  it('differs when the description, a schema or the tags change', () => {
    const base = definitionHash(definition);
    expect(definitionHash({ ...definition, description: 'other' })).not.toBe(base);
    expect(definitionHash({ ...definition, outputSchema: { type: 'object' } })).not.toBe(base);
    expect(definitionHash({ ...definition, tags: ['search'] })).not.toBe(base);
  });

  it('ignores the name and version (they are the key, not the promise)', () => {
    expect(definitionHash({ ...definition, version: '2.0.0' })).toBe(definitionHash(definition));
  });
});
