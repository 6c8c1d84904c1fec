import { StateWriteResultSchema } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { requestResult } from './request-result.ts';

const reply = (result: unknown) => async () => ({
  v: 1,
  type: 'result' as const,
  id: 'g1',
  re: 'x',
  result,
});

describe('requestResult', () => {
  it('resolves with a result that fits the schema', async () => {
    const result = { version: 2, updatedAt: '2026-01-01T00:00:00.000Z' };
    await expect(
      requestResult(reply(result), { type: 'lifecycle.get' }, StateWriteResultSchema),
    ).resolves.toEqual(result);
  });

  it('rejects with E_INTERNAL when the gateway answers with something else', async () => {
    await expect(
      requestResult(reply({ version: 'two' }), { type: 'lifecycle.get' }, StateWriteResultSchema),
    ).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: expect.stringContaining('lifecycle.get'),
    });
  });
});
