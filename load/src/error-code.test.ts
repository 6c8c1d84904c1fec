import { describe, expect, it } from 'vitest';
import { codeOf } from './error-code.ts';

describe('codeOf', () => {
  it('reads the code of the error, else of its cause, else E_CLIENT', () => {
    expect(codeOf(Object.assign(new Error('x'), { code: 'E_TIMEOUT' }))).toBe('E_TIMEOUT');
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(codeOf(refused)).toBe('ECONNREFUSED');
    expect(codeOf(new Error('no code'))).toBe('E_CLIENT');
    expect(codeOf(Object.assign(new Error('x'), { code: 42 }))).toBe('E_CLIENT');
    expect(codeOf('a string')).toBe('E_CLIENT');
  });
});
