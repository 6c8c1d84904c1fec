import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { PendingToolCalls } from './pending-tool-calls.ts';

const result = (callId: string, fields: Record<string, unknown>) =>
  ({ v: 1, id: `f-${callId}`, type: 'tool.result', callId, ...fields }) as never;

describe('PendingToolCalls', () => {
  it('hands a result or a tool error to the call it names', async () => {
    const calls = new PendingToolCalls();
    const ok = calls.wait('a', Date.now() + 10_000);
    const failed = calls.wait('b', Date.now() + 10_000);
    expect(calls.settle(result('a', { result: { sum: 3 } }))).toBe(true);
    expect(calls.settle(result('b', { error: { code: 'E_UNAVAILABLE', message: 'down' } }))).toBe(
      true,
    );
    await expect(ok).resolves.toEqual({ ok: true, result: { sum: 3 } });
    await expect(failed).resolves.toEqual({
      ok: false,
      error: { code: 'E_UNAVAILABLE', message: 'down' },
    });
    expect(calls.size).toBe(0);
  });

  it('takes a result without a value as null, and ignores results nobody waits for', async () => {
    const calls = new PendingToolCalls();
    const call = calls.wait('a', Date.now() + 10_000);
    calls.settle(result('a', {}));
    await expect(call).resolves.toEqual({ ok: true, result: null });
    expect(calls.settle(result('late', { result: 1 }))).toBe(false);
  });

  it('fails every waiting call, and every later one, when the connection ends', async () => {
    const calls = new PendingToolCalls();
    const waiting = calls.wait('a', Date.now() + 10_000);
    calls.close(new SbError('E_UNAVAILABLE', 'the provider disconnected'));
    await expect(waiting).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    await expect(calls.wait('b', Date.now() + 10_000)).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
    });
  });

  it('gives up at the deadline and refuses a call id already running', async () => {
    const calls = new PendingToolCalls();
    const running = calls.wait('a', Date.now() + 10_000);
    await expect(calls.wait('a', Date.now() + 10_000)).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
    await expect(calls.wait('b', Date.now() - 1)).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    calls.settle(result('a', { result: 1 }));
    await running;
  });
});
