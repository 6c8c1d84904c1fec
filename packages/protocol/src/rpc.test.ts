import { describe, expect, it } from 'vitest';
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
