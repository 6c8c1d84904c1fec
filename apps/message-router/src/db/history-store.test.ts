import { describe, expect, it } from 'vitest';
import { topicRegex } from './history-store.ts';

describe('topicRegex', () => {
  const matches = (pattern: string, topic: string) => new RegExp(topicRegex(pattern)).test(topic);

  it('matches like a subscription: `*` one token, `>` one or more', () => {
    expect(matches('orders.*.eu', 'orders.created.eu')).toBe(true);
    expect(matches('orders.*.eu', 'orders.created.us')).toBe(false);
    expect(matches('orders.*.eu', 'orders.a.b.eu')).toBe(false);
    expect(matches('orders.>', 'orders.a.b')).toBe(true);
    expect(matches('orders.>', 'orders')).toBe(false);
  });

  it('escapes characters that mean something in a regular expression', () => {
    expect(topicRegex('a+b.*')).toBe('^a\\+b\\.[^.]+$');
    expect(matches('a+b.c', 'aab.c')).toBe(false);
    expect(matches('a+b.c', 'a+b.c')).toBe(true);
  });
});
