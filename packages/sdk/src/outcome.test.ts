import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { outcomeOfError } from './outcome.ts';

describe('outcomeOfError', () => {
  it('keeps an SbError, and its retryAfterMs as the nack’s', () => {
    expect(
      outcomeOfError(new SbError('E_CONFLICT', 'busy', { details: { retryAfterMs: 2.6 } })),
    ).toEqual({
      kind: 'nack',
      error: { code: 'E_CONFLICT', message: 'busy', details: { retryAfterMs: 2.6 } },
      retryAfterMs: 3,
    });
    expect(outcomeOfError(new SbError('E_NOT_FOUND', 'gone'))).toEqual({
      kind: 'nack',
      error: { code: 'E_NOT_FOUND', message: 'gone' },
    });
  });

  it('caps retryAfterMs at a day and ignores one that is not a delay', () => {
    const after = (retryAfterMs: unknown) =>
      outcomeOfError(new SbError('E_UNAVAILABLE', 'x', { details: { retryAfterMs } }));
    expect(after(1e12)).toMatchObject({ retryAfterMs: 86_400_000 });
    for (const value of [-1, Number.NaN, '10']) {
      expect(after(value)).not.toHaveProperty('retryAfterMs');
    }
  });

  it('turns anything else into E_INTERNAL without its text', () => {
    const outcome = outcomeOfError(new Error('secret detail'));
    expect(outcome).toEqual({
      kind: 'nack',
      error: { code: 'E_INTERNAL', message: 'the message handler failed; the agent logged why' },
    });
  });
});
