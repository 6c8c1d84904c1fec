import { mintPrincipalKeyPair } from '@switchboard/authz';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';

/** `switchboard keys principal-key`: prints a new principal signing key pair, offline. */
export function registerPrincipalKeyCommand(keys: Command, io: CliIo): void {
  keys
    .command('principal-key')
    .description(
      'Print a new Ed25519 key pair that signs sb-principal inside the mesh (base64 DER) and a key id, offline (docs/security.md)',
    )
    .action((_options, command: Command) => {
      const context = contextOf(command, io);
      const pair = mintPrincipalKeyPair();
      if (context.json) {
        context.printJson(pair);
        return;
      }
      context.print(
        [
          `keyId:      ${pair.keyId}`,
          `privateKey: ${pair.privateKey}`,
          `publicKey:  ${pair.publicKey}`,
          '',
          'Every service (beside the public keys still in use):',
          `  SB_PRINCIPALS__PUBLIC_KEYS='{"${pair.keyId}":"${pair.publicKey}"}'`,
          'The gateway, tool-registry and a2a-peer only (they sign; keep it secret):',
          `  SB_PRINCIPALS__SIGNING_KEY_ID=${pair.keyId}`,
          `  SB_PRINCIPALS__SIGNING_KEY=${pair.privateKey}`,
          '(or SB_PRINCIPALS__SIGNING_KEY_FILE naming a mounted secret holding it).',
          'Once every service holds the public key and the signers sign: SB_PRINCIPALS__MODE=enforce',
        ].join('\n'),
      );
    });
}
