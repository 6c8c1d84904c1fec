import { describe, expect, it } from 'vitest';
import { selects } from './label-selector.ts';

describe('selects', () => {
  const labels = { app: 'gateway', tier: 'edge' };

  it('selects everything with an empty selector', () => {
    expect(selects({}, labels)).toBe(true);
    expect(selects({}, {})).toBe(true);
  });

  it('needs every matchLabels pair', () => {
    expect(selects({ matchLabels: { app: 'gateway' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'gateway', tier: 'core' } }, labels)).toBe(false);
  });

  it('reads In, NotIn, Exists and DoesNotExist expressions', () => {
    const expression = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: 'app', operator, ...(values ? { values } : {}) }],
    });
    expect(selects(expression('In', ['gateway', 'state']), labels)).toBe(true);
    expect(selects(expression('In', ['state']), labels)).toBe(false);
    expect(selects(expression('In', ['gateway']), {})).toBe(false);
    expect(selects(expression('NotIn', ['state']), labels)).toBe(true);
    expect(selects(expression('NotIn', ['gateway']), labels)).toBe(false);
    expect(selects(expression('NotIn', ['gateway']), {})).toBe(true);
    expect(selects(expression('Exists'), labels)).toBe(true);
    expect(selects(expression('Exists'), {})).toBe(false);
    expect(selects(expression('DoesNotExist'), labels)).toBe(false);
    expect(selects(expression('DoesNotExist'), {})).toBe(true);
  });

  it('refuses an operator Kubernetes does not have', () => {
    expect(() => selects({ matchExpressions: [{ key: 'app', operator: 'Like' }] }, labels)).toThrow(
      'unknown label selector operator Like',
    );
  });
});
