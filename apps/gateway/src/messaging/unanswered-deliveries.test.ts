import { describe, expect, it } from 'vitest';
import { UnansweredDeliveries } from './unanswered-deliveries.ts';

describe('unanswered deliveries', () => {
  it('takes one answer per push, and none for a delivery never pushed', () => {
    const deliveries = new UnansweredDeliveries();
    deliveries.pushed('1');
    expect(deliveries.answered('2')).toBe(false);
    expect(deliveries.answered('1')).toBe(true);
    expect(deliveries.answered('1')).toBe(false);
  });

  it('forgets the oldest push beyond its capacity, and a retried push counts as the newest', () => {
    const deliveries = new UnansweredDeliveries(2);
    deliveries.pushed('1');
    deliveries.pushed('2');
    deliveries.pushed('1');
    deliveries.pushed('3');
    expect(deliveries.answered('2')).toBe(false);
    expect(deliveries.answered('1')).toBe(true);
    expect(deliveries.answered('3')).toBe(true);
  });
});
