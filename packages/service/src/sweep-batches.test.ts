import { describe, expect, it } from 'vitest';
import { sweepInBatches } from './sweep-batches.ts';

/** A backlog of `rows` that each batch deletes at most `limit` of. */
function backlog(rows: number) {
  let left = rows;
  const batches: number[] = [];
  return {
    batches,
    deleteBatch: (limit: number) => async () => {
      const deleted = Math.min(limit, left);
      left -= deleted;
      batches.push(deleted);
      return deleted;
    },
  };
}

describe('sweepInBatches', () => {
  it('deletes batch after batch until one comes back short', async () => {
    const rows = backlog(2500);
    expect(await sweepInBatches(rows.deleteBatch(1000), 1000)).toBe(2500);
    expect(rows.batches).toEqual([1000, 1000, 500]);
  });

  it('runs one more, empty, batch when the backlog is a whole number of batches', async () => {
    const rows = backlog(2000);
    expect(await sweepInBatches(rows.deleteBatch(1000), 1000)).toBe(2000);
    expect(rows.batches).toEqual([1000, 1000, 0]);
  });

  it('stops between batches once stopping', async () => {
    const rows = backlog(5000);
    let stop = false;
    const total = await sweepInBatches(
      async () => {
        const deleted = await rows.deleteBatch(1000)();
        stop = rows.batches.length === 2;
        return deleted;
      },
      1000,
      () => stop,
    );
    expect(total).toBe(2000);
  });
});
