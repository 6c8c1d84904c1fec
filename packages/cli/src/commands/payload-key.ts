import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';

/** Bytes of an AES-256 payload key. */
const KEY_BYTES = 32;

/** A new payload key: 256 random bits as base64, and an id naming the day it was made. */
export function mintPayloadKey(now = new Date()): { keyId: string; key: string } {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    keyId: `pk-${day}-${randomBytes(3).toString('hex')}`,
    key: randomBytes(KEY_BYTES).toString('base64'),
  };
}

/** `switchboard keys payload-key`: prints a new payload encryption key, offline. */
export function registerPayloadKeyCommand(keys: Command, io: CliIo): void {
  keys
    .command('payload-key')
    .description(
      'Print a new 256-bit payload encryption key (base64) and a key id, offline (docs/security.md)',
    )
    .action((_options, command: Command) => {
      const context = contextOf(command, io);
      const { keyId, key } = mintPayloadKey();
      if (context.json) {
        context.printJson({ keyId, key });
        return;
      }
      context.print(
        [
          `keyId: ${keyId}`,
          `key:   ${key}`,
          '',
          'Add it to every service, beside the keys older records still need:',
          `  SB_PAYLOADS__ENCRYPTION__KEYS='{"<older id>":"<older key>","${keyId}":"${key}"}'`,
          '(or to the JSON key file that payloads.encryption.keyFile names).',
          'Once every replica holds it, make it the key new records get:',
          `  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID=${keyId}`,
          'then move older records to it: switchboard payloads reencrypt',
          'Keep the key secret and backed up: records encrypted with it are lost without it.',
        ].join('\n'),
      );
    });
}
