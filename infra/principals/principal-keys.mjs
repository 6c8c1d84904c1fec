// The one-shot `principal-keys` service of docker-compose.yml: on the first `up`, makes the
// Ed25519 key pair that signs `sb-principal` inside the mesh (docs/security.md, "Signed
// principals"): the private half into a volume only the gateway, tool-registry and a2a-peer
// mount, the public half (JSON {keyId: key}) into one every service mounts. Later runs keep
// both, so restarts and `--scale` keep verifying what running replicas signed.
import { generateKeyPairSync } from 'node:crypto';
import { chownSync, existsSync, writeFileSync } from 'node:fs';

const keyId = 'ppk-compose';
// The volumes' mount point (`node principal-keys.mjs <dir>` writes elsewhere: tests).
const root = process.argv[2] ?? '/keys';
const privatePath = `${root}/private/signing.key`;
const publicPath = `${root}/public/keys.json`;
// The services run as 1000:1000 (Dockerfile); only they, and root, read the private key.
const serviceUid = 1000;

if (existsSync(privatePath) && existsSync(publicPath)) {
  process.stdout.write(`principal keys: keeping ${keyId}\n`);
} else {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateText = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const publicText = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  writeFileSync(privatePath, `${privateText}\n`, { mode: 0o400 });
  chownSync(privatePath, serviceUid, serviceUid);
  writeFileSync(publicPath, `${JSON.stringify({ [keyId]: publicText })}\n`, { mode: 0o444 });
  process.stdout.write(`principal keys: made ${keyId}\n`);
}
