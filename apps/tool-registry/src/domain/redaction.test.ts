import { describe, expect, it } from 'vitest';
import { REDACTED, redactArguments } from './redaction.ts';

const args = {
  query: 'cats',
  Password: 'hunter2',
  nested: { token: 'abc', list: [{ apiKey: 'k', keep: 1 }, 'plain'] },
};

describe('redactArguments', () => {
  it('masks named keys at any depth, case-insensitively, arrays included', () => {
    expect(redactArguments(args, { mode: 'keys', keys: ['password', 'TOKEN', 'apikey'] })).toEqual({
      query: 'cats',
      Password: REDACTED,
      nested: { token: REDACTED, list: [{ apiKey: REDACTED, keep: 1 }, 'plain'] },
    });
  });

  it('keeps nothing in all mode and everything in none mode', () => {
    expect(redactArguments(args, { mode: 'all', keys: [] })).toBeNull();
    expect(redactArguments(args, { mode: 'none', keys: ['password'] })).toBe(args);
  });
});
