import { isSbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { decodePrincipal, encodePrincipal, MAX_PRINCIPAL_HEADER_CHARS } from './codec.ts';
import type { Principal } from './principal.ts';
import { resolvePrincipal } from './roles.ts';

const agent: Principal = {
  id: 'agent:a1',
  credential: { type: 'api_key', id: 'k_3f9a' },
  agentIds: ['a1', 'a2'],
  roles: ['agent'],
  grants: [
    { kind: 'publish', topics: ['orders.*'] },
    { kind: 'tool', names: ['search.>'], versions: '^1.2.0', actions: ['call'] },
  ],
};

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isSbError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an SbError');
}

describe('encodePrincipal and decodePrincipal', () => {
  it('round-trip a principal as compact single-line JSON', () => {
    const header = encodePrincipal(agent);
    expect(header).not.toMatch(/\s/);
    expect(JSON.parse(header)).toEqual(agent);
    expect(decodePrincipal(header)).toEqual(agent);
  });

  it('round-trip a resolved admin', () => {
    const { principal } = resolvePrincipal({ ...agent, roles: ['admin'], grants: [] });
    expect(decodePrincipal(encodePrincipal(principal))).toEqual(principal);
  });

  it('emit ASCII only, escaping other characters, and decode them back', () => {
    const p: Principal = { ...agent, id: 'jwt:zoé😀', credential: { type: 'jwt', id: 'zoé😀' } };
    const header = encodePrincipal(p);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header).toContain('zo\\u00e9\\ud83d\\ude00');
    expect(decodePrincipal(header)).toEqual(p);
  });

  it('refuse to encode an invalid principal, naming it and the field', () => {
    const bad = { ...agent, grants: [{ kind: 'publish', topics: ['orders..eu'] }] } as Principal;
    const error = errorOf(() => encodePrincipal(bad));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toContain('principal agent:a1 cannot be encoded: grants.0.topics.0');
  });

  it('refuse to encode a principal over the header limit', () => {
    const topics = Array.from({ length: 2000 }, (_, index) => `topic.${index}`);
    const big: Principal = { ...agent, grants: [{ kind: 'subscribe', topics }] };
    const error = errorOf(() => encodePrincipal(big));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toContain(`over the ${MAX_PRINCIPAL_HEADER_CHARS}`);
    expect(error.message).toContain('principal agent:a1 encodes to');
  });
});

describe('decodePrincipal refuses', () => {
  it.each([undefined, ''])('a missing header (%j)', (header) => {
    const error = errorOf(() => decodePrincipal(header));
    expect(error.code).toBe('E_UNAUTHORIZED');
    expect(error.message).toContain('the sb-principal header is missing');
  });

  it('an oversized header before parsing it', () => {
    const error = errorOf(() => decodePrincipal(' '.repeat(MAX_PRINCIPAL_HEADER_CHARS + 1)));
    expect(error).toEqual({
      code: 'E_UNAUTHORIZED',
      message: `the sb-principal header is ${MAX_PRINCIPAL_HEADER_CHARS + 1} characters long, over the limit of ${MAX_PRINCIPAL_HEADER_CHARS}`,
    });
  });

  it('a header that is not JSON, keeping the parse error as cause', () => {
    let thrown: unknown;
    try {
      decodePrincipal('{"id":');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'E_UNAUTHORIZED',
      message: 'the sb-principal header is not valid JSON',
      cause: expect.any(SyntaxError),
    });
  });

  it.each([
    ['a bare string', '"agent:a1"', '(root)'],
    ['an id without a known kind', JSON.stringify({ ...agent, id: 'robot:a1' }), 'id:'],
    [
      'an unknown credential type',
      JSON.stringify({ ...agent, credential: { type: 'x', id: 'k' } }),
      'credential.type',
    ],
    [
      'an unknown grant kind',
      JSON.stringify({ ...agent, grants: [{ kind: 'root' }] }),
      'grants.0.kind',
    ],
    [
      'an unknown operator scope',
      JSON.stringify({ ...agent, grants: [{ kind: 'operator', scopes: ['root'] }] }),
      'grants.0.scopes.0',
    ],
    [
      'an empty pattern list',
      JSON.stringify({ ...agent, grants: [{ kind: 'a2a', peers: [] }] }),
      'grants.0.peers',
    ],
    ['an extra field', JSON.stringify({ ...agent, admin: true }), 'admin'],
    ['an invalid role name', JSON.stringify({ ...agent, roles: ['Admin'] }), 'roles.0'],
  ])('%s', (_, header, path) => {
    const error = errorOf(() => decodePrincipal(header));
    expect(error.code).toBe('E_UNAUTHORIZED');
    expect(error.message).toContain('the sb-principal header is not a valid principal: ');
    expect(error.message).toContain(path);
  });
});
