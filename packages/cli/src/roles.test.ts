import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The operator API as the gateway serves it, in process (its own namespace and database).
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
afterAll(async () => {
  await gateway?.stop();
});

describe('roles', () => {
  it('defines a custom role a key names, changes it, and deletes it', async () => {
    const readAgents = '{"kind":"operator","scopes":["agents:read"]}';
    const set = await sb(['roles', 'set', 'viewer', '--grant', readAgents]);
    expect(set).toMatchObject({ code: 0, stdout: `role viewer: [${readAgents}]\n` });
    const listed = await sb(['roles', 'ls']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+GRANTS$/);
    expect(listed.stdout).toMatch(/^admin\s+built-in/m);
    expect(listed.stdout).toMatch(/^viewer\s+custom\s+\[\{"kind":"operator"/m);

    const created = await sb(['keys', 'create', '--name', 'v', '--role', 'viewer', '--json']);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect((await sb(['agents', 'ls'], token)).code).toBe(0);

    expect((await sb(['roles', 'set', 'viewer', '--json'])).stdout).toContain('"grants": []');
    const refused = await sb(['agents', 'ls'], token);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toMatch(/^E_FORBIDDEN: .*agents:read/);

    expect((await sb(['roles', 'rm', 'viewer'])).stdout).toBe('removed role viewer\n');
    const again = await sb(['roles', 'rm', 'viewer']);
    expect(again).toMatchObject({ code: 1, stderr: 'E_NOT_FOUND: no custom role viewer\n' });
    const builtIn = await sb(['roles', 'set', 'admin']);
    expect(builtIn.stderr).toMatch(/^E_CONFLICT: admin is a built-in role/);
  });
});
