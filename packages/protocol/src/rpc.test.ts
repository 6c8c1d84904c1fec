import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { batchRpcOf, defineRpc, MAX_BATCH_ITEMS } from './rpc.ts';
import { PingRpc, SettingReportSchema } from './service-rpcs.ts';

describe('service RPC schemas', () => {
  it('accept a ping and refuse unknown fields in it', () => {
    expect(PingRpc.operation).toBe('ping');
    expect(PingRpc.request.parse({})).toEqual({});
    expect(PingRpc.request.safeParse({ extra: 1 }).success).toBe(false);
  });

  it('describe a setting with its source and a pending restart value', () => {
    const report = {
      key: 'router.port',
      value: 7701,
      source: 'env',
      live: false,
      pendingRestart: { value: 7800, source: 'override' },
    };
    expect(SettingReportSchema.parse(report)).toEqual(report);
    expect(SettingReportSchema.safeParse({ ...report, source: 'guess' }).success).toBe(false);
  });
});

describe('batchRpcOf', () => {
  const EchoRpc = defineRpc(
    'echo',
    z.strictObject({ text: z.string() }),
    z.strictObject({ text: z.string() }),
  );
  const EchoBatchRpc = batchRpcOf(EchoRpc);

  it('names the batch operation and checks every item as a request of the single one', () => {
    expect(EchoBatchRpc.operation).toBe('echo.batch');
    expect(EchoBatchRpc.request.parse({ items: [{ text: 'a' }] })).toEqual({
      items: [{ text: 'a' }],
    });
    expect(EchoBatchRpc.request.safeParse({ items: [] }).success).toBe(false);
    expect(EchoBatchRpc.request.safeParse({ items: [{ text: 1 }] }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({ text: 'a' }));
    expect(EchoBatchRpc.request.safeParse({ items: tooMany }).success).toBe(false);
  });

  it('answers each item with its result or its own error', () => {
    const results = [
      { ok: true, result: { text: 'a' } },
      { ok: false, error: { code: 'E_NOT_FOUND', message: 'no such thing' } },
    ];
    expect(EchoBatchRpc.response.parse({ results })).toEqual({ results });
    expect(
      EchoBatchRpc.response.safeParse({ results: [{ ok: true, result: { text: 2 } }] }).success,
    ).toBe(false);
  });
});
