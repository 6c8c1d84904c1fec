import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

describe('createBatcher', () => {
  it('flushes items of one tick together and answers each in order', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher(
      async (items: number[]) => {
        batches.push(items);
        return items.map((item) => item * 10);
      },
      { maxBatch: () => 100 },
    );
    const answers = await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    expect(answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.pending).toBe(0);
  });

  it('gathers what arrives during a flush into the next one, up to maxBatch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = createBatcher(
      async (items: number[]) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items;
      },
      { maxBatch: () => 2 },
    );
    const first = batcher.submit(1);
    await Promise.resolve();
    const later = [2, 3, 4].map((item) => batcher.submit(item));
    expect(batcher.pending).toBe(3);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('rejects every item of a batch whose flush failed, and goes on', async () => {
    let calls = 0;
    const batcher = createBatcher(
      async (items: string[]) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return items;
      },
      { maxBatch: () => 10 },
    );
    const failed = [batcher.submit('a'), batcher.submit('b')];
    await expect(Promise.all(failed)).rejects.toThrow('database down');
    await expect(failed[1]).rejects.toThrow('database down');
    await expect(batcher.submit('c')).resolves.toBe('c');
  });
});
