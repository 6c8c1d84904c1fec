import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { answerEach } from './answer-each.ts';

describe('answerEach', () => {
  it('answers every item in order, each with its result or its own error', async () => {
    const logged: unknown[] = [];
    const answer = await answerEach(
      [1, 2, 3],
      async (item) => {
        if (item === 2) throw new SbError('E_CONFLICT', 'two is taken');
        if (item === 3) throw new Error('a bug');
        return item * 10;
      },
      { error: (fields: unknown) => logged.push(fields) },
    );
    expect(answer.results).toEqual([
      { ok: true, result: 10 },
      { ok: false, error: { code: 'E_CONFLICT', message: 'two is taken' } },
      { ok: false, error: expect.objectContaining({ code: 'E_INTERNAL' }) },
    ]);
    // Only the bug is logged: an SbError is an answer, not a failure of the service.
    expect(logged).toHaveLength(1);
  });
});
