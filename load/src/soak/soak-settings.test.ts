import { describe, expect, it } from 'vitest';
import { SOAK_RETENTION_ENV, SOAK_RETENTION_MS, soakAllowance } from './soak-settings.ts';

describe('soak settings', () => {
  it('lets the checker allow for what the retention of a soak removed', () => {
    expect(soakAllowance(1_000_000)).toEqual({
      retiredBeforeMs: 1_000_000 - SOAK_RETENTION_MS,
      stateHistoryTrimmed: true,
    });
    expect(SOAK_RETENTION_ENV.SB_ROUTER__RETENTION__MESSAGES_MS).toBe(String(SOAK_RETENTION_MS));
  });
});
