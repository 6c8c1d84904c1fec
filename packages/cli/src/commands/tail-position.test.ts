import { describe, expect, it } from 'vitest';
import { advanceTail, tailFrom } from './tail-position.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const message = (id: string, ms: number) => ({ id, acceptedAt: at(ms) });
const ids = (messages: Array<{ id: string }>) => messages.map((item) => item.id);

describe('following the history', () => {
  it('returns new messages oldest first and moves since to the newest', () => {
    const { fresh, position } = advanceTail(tailFrom(), [
      message('c', 30),
      message('b', 20),
      message('a', 10),
    ]);
    expect(ids(fresh)).toEqual(['a', 'b', 'c']);
    expect(position).toEqual({ since: at(30), seenAtSince: new Set(['c']) });
  });

  it('drops what it printed at the since it asks from again', () => {
    const first = advanceTail(tailFrom(at(0)), [message('b', 20), message('a', 20)]);
    expect(first.position.seenAtSince).toEqual(new Set(['a', 'b']));
    // The next poll from the same time returns both again, and a newcomer of that moment.
    const second = advanceTail(first.position, [
      message('c', 20),
      message('b', 20),
      message('a', 20),
    ]);
    expect(ids(second.fresh)).toEqual(['c']);
    expect(second.position).toEqual({ since: at(20), seenAtSince: new Set(['a', 'b', 'c']) });
    const third = advanceTail(second.position, [message('d', 25), message('c', 20)]);
    expect(ids(third.fresh)).toEqual(['d']);
    expect(third.position).toEqual({ since: at(25), seenAtSince: new Set(['d']) });
  });

  it('keeps its place when a poll finds nothing', () => {
    const position = advanceTail(tailFrom(), [message('a', 10)]).position;
    const empty = advanceTail(position, []);
    expect(empty).toEqual({ fresh: [], position });
    expect(advanceTail(tailFrom(), [])).toEqual({ fresh: [], position: tailFrom() });
    expect(ids(advanceTail(empty.position, [message('a', 10)]).fresh)).toEqual([]);
  });

  it('counts a message once when shifted pages repeat it', () => {
    const { fresh } = advanceTail(tailFrom(), [
      message('c', 30),
      message('b', 20),
      message('b', 20),
      message('a', 10),
    ]);
    expect(ids(fresh)).toEqual(['a', 'b', 'c']);
  });

  it('compares times as instants: the newest is the latest, whatever its precision or place', () => {
    const micro = { id: 'm', acceptedAt: '2026-01-01T00:00:00.020500Z' };
    const { position } = advanceTail(tailFrom(), [message('a', 10), micro, message('b', 20)]);
    // Same millisecond: the first seen keeps the place, both count as seen there.
    expect(position).toEqual({ since: micro.acceptedAt, seenAtSince: new Set(['m', 'b']) });
  });
});
