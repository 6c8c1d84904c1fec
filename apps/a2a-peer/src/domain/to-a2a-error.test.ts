import {
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { toA2aError } from './to-a2a-error.ts';

describe('toA2aError', () => {
  it('turns a missing task into TaskNotFoundError with our message', () => {
    const error = toA2aError(new SbError('E_NOT_FOUND', 'no task t-1 here'));
    expect(error).toBeInstanceOf(TaskNotFoundError);
    expect((error as Error).message).toContain('no task t-1 here');
  });

  it('turns a conflict into TaskNotCancelableError only when the task cannot be cancelled', () => {
    const notCancelable = toA2aError(
      new SbError('E_CONFLICT', 'task t-1 has ended', { details: { reason: 'not_cancelable' } }),
    );
    expect(notCancelable).toBeInstanceOf(TaskNotCancelableError);
    const ended = toA2aError(new SbError('E_CONFLICT', 'task t-1 has ended; start a new task'));
    expect(ended).toBeInstanceOf(UnsupportedOperationError);
    expect((ended as Error).message).toContain('start a new task');
    expect(
      toA2aError(new SbError('E_CONFLICT', 'other', { details: { reason: 'elsewhere' } })),
    ).toBeInstanceOf(UnsupportedOperationError);
  });

  it('turns bad input and oversized payloads into RequestMalformedError', () => {
    for (const code of ['E_VALIDATION', 'E_PAYLOAD_TOO_LARGE'] as const) {
      const error = toA2aError(new SbError(code, 'a message with at least one part is required'));
      expect(error).toBeInstanceOf(RequestMalformedError);
      expect((error as Error).message).toContain('at least one part');
    }
  });

  it('keeps the code of any other error in the message of a plain error', () => {
    const error = toA2aError(new SbError('E_FORBIDDEN', 'no grant for agent x'));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SbError);
    expect((error as Error).message).toBe('E_FORBIDDEN: no grant for agent x');
  });

  it('passes an error that is not ours through unchanged', () => {
    const error = new TypeError('boom');
    expect(toA2aError(error)).toBe(error);
    expect(toA2aError('text')).toBe('text');
  });
});
