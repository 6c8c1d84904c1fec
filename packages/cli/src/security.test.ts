import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;
const sb = cliAgainst(() => gateway);

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
});
afterAll(() => gateway?.stop());

describe('security events', () => {
  it('lists refused credentials as a table and as JSON, filtered by kind', async () => {
    const refused = await sb(['agents', 'ls'], 'not-a-key');
    expect(refused.code).not.toBe(0);
    let listed = { code: 1, stdout: '', stderr: '' };
    await waitFor(
      async () => {
        listed = await sb(['security', 'events', '--kind', 'auth_failed']);
        return listed.stdout.includes('auth_failed');
      },
      { what: 'the refusal listed' },
    );
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^AT\s+KIND\s+SERVICE\s+WHO\s+IP\s+PATH\s+DETAIL/);
    expect(listed.stdout).toMatch(/auth_failed\s+gateway\s+-\s+\S+\s+\/v1\/agents/);
    expect(listed.stdout).not.toContain('not-a-key');

    const json = await sb(['security', 'events', '--kind', 'forbidden,alert', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('refuses an unknown kind and a bad time before calling the gateway', async () => {
    const kind = await sb(['security', 'events', '--kind', 'nonsense']);
    expect(kind.code).not.toBe(0);
    expect(kind.stderr).toContain('use one of auth_failed');
    const since = await sb(['security', 'events', '--since', 'yesterday']);
    expect(since.code).not.toBe(0);
    expect(since.stderr).toContain('ISO 8601');
  });

  it('needs security:read', async () => {
    const created = await gateway.call('POST', '/v1/keys', {
      token: gateway.adminToken,
      body: { name: 'agent', roles: ['agent'] },
    });
    const { token } = created.json() as { token: string };
    const denied = await sb(['security', 'events'], token);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('security:read');
  });
});
