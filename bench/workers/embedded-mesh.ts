import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedMesh } from '@switchboard/embedded';

// The embedded mesh in a process of its own (as `pnpm sb dev` runs it), so the load generator
// does not share its event loop: started with `env` from the parent, it reports its gateway's
// port once ready and stops on SIGTERM.

const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-embedded-'));
const mesh = await startEmbeddedMesh({
  dataDir,
  postgresPort: await freePort(),
  env: process.env,
});
const gateway = mesh.services.find((service) => service.short === 'gateway');
process.send?.({ kind: 'ready', gatewayPort: gateway?.port, pid: process.pid });
process.once('SIGTERM', () => {
  void mesh
    .stop()
    .finally(() => rmSync(dataDir, { recursive: true, force: true }))
    .then(() => process.exit(0));
});
