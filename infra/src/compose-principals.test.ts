import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PrincipalsSchema } from '@switchboard/config';
import { loadPrincipalSignatures } from '@switchboard/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposeFile, loadComposeFile } from './compose.ts';
import { checkServiceEnv } from './service-env.ts';
import { deployedServices } from './services.ts';

// Signed principals in docker-compose.yml (docs/security.md, docs/deploy.md): every service
// enforces them, only the gateway, tool-registry and a2a-peer see the private key, and the
// one-shot `principal-keys` writes a pair the services load.

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const signers = new Set(['gateway', 'tools', 'a2a']);
let compose: ComposeFile;
let folder: string;

beforeAll(async () => {
  compose = await loadComposeFile(join(repoRoot, 'docker-compose.yml'), {});
  folder = await mkdtemp(join(tmpdir(), 'sb-compose-principals-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The volume mounted at `target` (`source:target[:mode]`), if any. */
const mountAt = (volumes: string[] | undefined, target: string) =>
  (volumes ?? []).find((volume) => volume.split(':')[1] === target)?.split(':')[0];

describe('docker-compose.yml: signed principals', () => {
  it.each(deployedServices)(
    'enforces them in $folder; only signers hold the key',
    async (service) => {
      const entry = compose.services[service.folder];
      const check = await checkServiceEnv(service, entry?.environment ?? {});
      if (!check.ok) expect.fail(check.problems.join('\n'));
      const principals = (check.config as { principals: Record<string, unknown> }).principals;
      expect(principals.mode).toBe('enforce');
      expect(principals.publicKeyFile).toBe('/run/principals/public/keys.json');
      expect(mountAt(entry?.volumes, '/run/principals/public')).toBe('principal-public');
      const privateVolume = mountAt(entry?.volumes, '/run/principals/private');
      if (signers.has(service.short)) {
        expect(principals).toMatchObject({
          signingKeyId: 'ppk-compose',
          signingKeyFile: '/run/principals/private/signing.key',
        });
        expect(privateVolume).toBe('principal-private');
      } else {
        expect(principals.signingKeyFile).toBeUndefined();
        expect(privateVolume).toBeUndefined();
      }
      expect(entry?.depends_on?.['principal-keys']?.condition).toBe(
        'service_completed_successfully',
      );
    },
  );

  it('makes a key pair once that signers sign with and every service verifies', async () => {
    const maker = compose.services['principal-keys'];
    expect(maker?.volumes).toEqual([
      './infra/principals/principal-keys.mjs:/opt/switchboard/principal-keys.mjs:ro',
      'principal-private:/keys/private',
      'principal-public:/keys/public',
    ]);
    await mkdir(join(folder, 'private'));
    await mkdir(join(folder, 'public'));
    const script = join(repoRoot, 'infra/principals/principal-keys.mjs');
    const run = () => promisify(execFile)(process.execPath, [script, folder]);
    expect((await run()).stdout).toBe('principal keys: made ppk-compose\n');
    const privatePath = join(folder, 'private/signing.key');
    const first = await readFile(privatePath, 'utf8');
    expect((await stat(privatePath)).mode & 0o777).toBe(0o400);
    // A second `up` keeps the pair: running replicas' signatures stay valid.
    expect((await run()).stdout).toBe('principal keys: keeping ppk-compose\n');
    expect(await readFile(privatePath, 'utf8')).toBe(first);

    const settings = (service: string) =>
      PrincipalsSchema.parse({
        mode: 'enforce',
        publicKeyFile: join(folder, 'public/keys.json'),
        ...(signers.has(service)
          ? { signingKeyId: 'ppk-compose', signingKeyFile: privatePath }
          : {}),
      });
    const gateway = await loadPrincipalSignatures(settings('gateway'), 'gateway');
    const state = await loadPrincipalSignatures(settings('state'), 'state');
    const header = '{"id":"key:k"}';
    expect(() => state.verifier?.verify(header, gateway.signer?.sign(header))).not.toThrow();
  });
});
