import { randomBytes } from 'node:crypto';
import { StatePutRpc } from '@switchboard/protocol';
import { connectTestBus, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import { build } from '../../../apps/state/src/app.ts';
import { stateConfig } from '../../../apps/state/src/config.ts';
// The state service in this process, as its own tests start it.
import { type InProcessService, startInProcess } from '../../service/src/in-process.ts';
import { runCli } from './cli.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;
const running: InProcessService[] = [];
const sb = cliAgainst(() => gateway);
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };

function startState(activeKeyId: 'k1' | 'k2') {
  return startInProcess({
    definition: stateConfig,
    build,
    env: {
      ...gateway.context.env,
      SB_STATE__PORT: '0',
      SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
      SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(keys),
      // One row a transaction and the shortest budget: the walk goes on over several steps.
      SB_PAYLOADS__REENCRYPT__BATCH_SIZE: '1',
      SB_PAYLOADS__REENCRYPT__BUDGET_MS: '10',
    },
    instanceId: `state-${activeKeyId}`,
  });
}

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
});
afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  await gateway?.stop();
});

describe('keys payload-key', () => {
  it('prints a new random 256-bit key and a key id, offline', async () => {
    const runs = await Promise.all(
      [0, 1].map(async () => {
        let stdout = '';
        const code = await runCli(['keys', 'payload-key', '--json'], {
          env: {},
          stdout: (text) => {
            stdout += text;
          },
          stderr: () => undefined,
        });
        expect(code).toBe(0);
        return JSON.parse(stdout) as { keyId: string; key: string };
      }),
    );
    for (const { keyId, key } of runs) {
      expect(keyId).toMatch(/^pk-\d{8}-[0-9a-f]{6}$/);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
    }
    expect(runs[0]?.key).not.toBe(runs[1]?.key);
    const text = await sb(['keys', 'payload-key']);
    expect(text.stdout).toContain('SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID=pk-');
  });
});

describe('payloads reencrypt', () => {
  it('moves a service’s payloads to the active key step by step and reports it', async () => {
    const first = await startState('k1');
    running.push(first);
    const bus = await connectTestBus(gateway.context.namespace);
    try {
      for (const key of ['a', 'b', 'c']) {
        await bus.request(
          bus.subjects.rpc('state', StatePutRpc.operation),
          StatePutRpc,
          { scope: 'vault', key, expectedVersion: 0, document: { key } },
          { principal: keyPrincipal('admin', ['admin']) },
        );
      }
    } finally {
      await bus.close();
    }
    await first.stop();
    running.push(await startState('k2'));

    const moved = await sb(['payloads', 'reencrypt', '--service', 'state']);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toContain('state: 6 moved to k2, 0 remaining');
    const again = await sb(['payloads', 'reencrypt', '--service', 'state', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({
      items: [{ service: 'state', activeKeyId: 'k2', reencrypted: 0, done: true }],
    });
    const refused = await sb(['payloads', 'reencrypt', '--service', 'gateway']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('use one of router, state, tasks, tools, a2a');
  });
});
