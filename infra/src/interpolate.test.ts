// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose variable syntax, not templates
import { describe, expect, it } from 'vitest';
import { interpolate, interpolateDeep } from './interpolate.ts';

describe('interpolate', () => {
  const variables = { SET: 'value', EMPTY: '' };

  it('substitutes braced and bare variables, unset ones with nothing', () => {
    expect(interpolate('a ${SET} $SET ${UNSET}.', variables)).toBe('a value value .');
  });

  it('uses a default when the variable is unset, or also when empty with :-', () => {
    expect(interpolate('${UNSET:-d} ${EMPTY:-d} ${SET:-d}', variables)).toBe('d d value');
    expect(interpolate('${UNSET-d} ${EMPTY-d}', variables)).toBe('d ');
  });

  it('gives the alternative only when the variable is set (and not empty with :+)', () => {
    expect(interpolate('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', variables)).toBe(
      'alt||alt|',
    );
  });

  it('refuses a required variable that is missing, with its message', () => {
    expect(() => interpolate('${UNSET:?set it in .env}', variables)).toThrow(
      'variable UNSET is required: set it in .env',
    );
    expect(() => interpolate('${EMPTY:?no}', variables)).toThrow('variable EMPTY is required');
    expect(interpolate('${EMPTY?no} ${SET:?no}', variables)).toBe(' value');
  });

  it('reads $$ as a literal dollar', () => {
    expect(interpolate('cost: $$5 $${SET}', variables)).toBe('cost: $5 ${SET}');
  });

  it('interpolates every string of a document, leaving other values and keys alone', () => {
    const document = { '${SET}': ['${SET}', 3, true, null, { deep: '${UNSET:-d}' }] };
    expect(interpolateDeep(document, variables)).toEqual({
      '${SET}': ['value', 3, true, null, { deep: 'd' }],
    });
  });
});
