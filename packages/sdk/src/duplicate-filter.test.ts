import { describe, expect, it } from 'vitest';
import { DuplicateFilter } from './duplicate-filter.ts';

const options = { windowMs: 60_000, maxEntries: 100 };

function first<O>(filter: DuplicateFilter<O>, id: string) {
  const claim = filter.claim(id);
  if (claim.kind !== 'first') throw new Error(`expected a first claim, got ${claim.kind}`);
  return claim;
}

describe('DuplicateFilter', () => {
  it('says a handled id is handled, within the window', () => {
    let now = 0;
    const filter = new DuplicateFilter<string>({ ...options, now: () => now });
    first(filter, 'm1').settle('ack', true);
    expect(filter.claim('m1')).toEqual({ kind: 'handled' });
    now = 60_000;
    expect(filter.claim('m1').kind).toBe('first');
  });

  it('makes copies that arrive during the handling wait for its outcome', async () => {
    const filter = new DuplicateFilter<string>(options);
    const claim = first(filter, 'm1');
    const copy = filter.claim('m1');
    const another = filter.claim('m1');
    if (copy.kind !== 'pending' || another.kind !== 'pending') throw new Error('not pending');
    expect(filter.handling).toBe(1);
    claim.settle('ack', true);
    await expect(copy.outcome).resolves.toBe('ack');
    await expect(another.outcome).resolves.toBe('ack');
    expect(filter.handling).toBe(0);
  });

  it('forgets a failed handling, so the next copy is handled again', async () => {
    const filter = new DuplicateFilter<string>(options);
    const claim = first(filter, 'm1');
    const copy = filter.claim('m1');
    claim.settle('nack', false);
    claim.settle('ack', true);
    expect(copy.kind === 'pending' && (await copy.outcome)).toBe('nack');
    expect(filter.claim('m1').kind).toBe('first');
  });

  it('keeps ids apart', () => {
    const filter = new DuplicateFilter<string>(options);
    first(filter, 'm1').settle('ack', true);
    expect(filter.claim('m2').kind).toBe('first');
  });
});
