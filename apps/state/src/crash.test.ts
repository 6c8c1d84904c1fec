import { StateGetRpc, StatePutRpc, StateVersionRpc } from '@switchboard/protocol';
import { keyPrincipal, spawnService } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, type StateHarness } from './test-state.ts';

let harness: StateHarness;
const admin = keyPrincipal('admin', ['admin']);
const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);
const keys = ['k0', 'k1', 'k2', 'k3'];

beforeAll(async () => {
  harness = await createStateHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('a state service killed mid-write', () => {
  it('leaves every key at a committed version, never a torn one', async () => {
    const spawned = await spawnService('state', { ...harness.context.env, SB_STATE__PORT: '0' });
    const acknowledged = new Map<string, number>();
    const writer = async (key: string) => {
      for (let version = 0; ; version += 1) {
        await harness.bus.request(
          subject('put'),
          StatePutRpc,
          {
            scope: 'crash.one',
            key,
            expectedVersion: version,
            document: { key, n: version + 1, padding: 'x'.repeat(2000) },
          },
          { principal: admin, timeoutMs: 2000 },
        );
        acknowledged.set(key, version + 1);
      }
    };
    const writers = keys.map((key) => writer(key).catch(() => undefined));
    const deadline = Date.now() + 10_000;
    while ([...acknowledged.values()].reduce((sum, n) => sum + n, 0) < 40) {
      if (Date.now() > deadline) throw new Error('writes did not progress');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await spawned.stop('SIGKILL');
    await Promise.all(writers);

    await harness.start('state-after');
    for (const key of keys) {
      const current = await harness.bus.request(
        subject('get'),
        StateGetRpc,
        { scope: 'crash.one', key },
        { principal: admin },
      );
      // Acknowledged writes survive; at most the one in flight committed past them.
      expect(current.version).toBeGreaterThanOrEqual(acknowledged.get(key) ?? 0);
      expect(current.version).toBeLessThanOrEqual((acknowledged.get(key) ?? 0) + 1);
      expect(current.document).toEqual({ key, n: current.version, padding: 'x'.repeat(2000) });
      const kept = await harness.bus.request(
        subject('version'),
        StateVersionRpc,
        { scope: 'crash.one', key, version: current.version },
        { principal: admin },
      );
      expect(kept.document).toEqual(current.document);
    }
  });
});
