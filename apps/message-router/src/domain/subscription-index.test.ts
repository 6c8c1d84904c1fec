import { describe, expect, it } from 'vitest';
import { passesFilter } from './subscription-filter.ts';
import { SubscriptionIndex } from './subscription-index.ts';

const sub = (
  agentId: string,
  pattern: string,
  filter: Record<string, string | string[]> | null = null,
) => ({
  agentId,
  pattern,
  filter: filter === null ? null : { headers: filter },
});

describe('SubscriptionIndex', () => {
  const index = new SubscriptionIndex([
    sub('exact', 'orders.created.eu'),
    sub('star', 'orders.*.eu'),
    sub('tail', 'orders.>'),
    sub('all', '>'),
    sub('star-first', '*.created.*'),
    sub('deeper', 'orders.created.eu.extra'),
  ]);

  it('counts what it holds', () => {
    expect(index.size).toBe(6);
    expect(new SubscriptionIndex().size).toBe(0);
  });

  it('matches literal tokens, `*` for exactly one token and `>` for one or more', () => {
    expect(index.recipientsOf('orders.created.eu', {}).sort()).toEqual(
      ['all', 'exact', 'star', 'star-first', 'tail'].sort(),
    );
    expect(index.recipientsOf('orders.created', {}).sort()).toEqual(['all', 'tail']);
    // `>` needs at least one token after `orders`.
    expect(index.recipientsOf('orders', {})).toEqual(['all']);
    expect(index.recipientsOf('billing.created.us', {}).sort()).toEqual(['all', 'star-first']);
    expect(index.recipientsOf('orders.created.eu.extra', {}).sort()).toEqual([
      'all',
      'deeper',
      'tail',
    ]);
  });

  it('gives an agent one delivery however many of its subscriptions match', () => {
    const twice = new SubscriptionIndex([sub('a', 'x.>'), sub('a', 'x.*'), sub('b', 'x.y')]);
    expect(twice.recipientsOf('x.y', {}).sort()).toEqual(['a', 'b']);
  });

  it('keeps an agent when any one of its matching subscriptions passes its filter', () => {
    const filtered = new SubscriptionIndex([
      sub('a', 'x.>', { region: 'eu' }),
      sub('a', 'x.*', { region: 'us' }),
      sub('b', 'x.*', { region: ['apac', 'eu'] }),
    ]);
    expect(filtered.recipientsOf('x.y', { region: 'us' })).toEqual(['a']);
    expect(filtered.recipientsOf('x.y', { region: 'eu' }).sort()).toEqual(['a', 'b']);
    expect(filtered.recipientsOf('x.y', {})).toEqual([]);
  });
});

describe('passesFilter', () => {
  it('passes everything without a filter', () => {
    expect(passesFilter(null, {})).toBe(true);
  });

  it('needs every named header present and equal to the value or one of the values', () => {
    const filter = { headers: { kind: 'order', region: ['eu', 'us'] } };
    expect(passesFilter(filter, { kind: 'order', region: 'us', extra: '1' })).toBe(true);
    expect(passesFilter(filter, { kind: 'order', region: 'apac' })).toBe(false);
    expect(passesFilter(filter, { kind: 'invoice', region: 'eu' })).toBe(false);
    expect(passesFilter(filter, { region: 'eu' })).toBe(false);
  });
});
