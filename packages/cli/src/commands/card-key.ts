import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.ts';

/** A new Agent Card signing key: an EC P-256 private JWK and a key id naming the day it was made. */
export function mintCardKey(now = new Date()): {
  kid: string;
  privateJwk: Record<string, unknown>;
} {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid: `card-${day}-${randomBytes(3).toString('hex')}`,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), alg: 'ES256' },
  };
}

/** `switchboard keys card-key`: prints a new A2A card signing key, offline. */
export function registerCardKeyCommand(keys: Command, io: CliIo): void {
  keys
    .command('card-key')
    .description(
      'Print a new A2A Agent Card signing key (EC P-256 private JWK, ES256) and a key id, offline (docs/a2a.md)',
    )
    .action((_options, command: Command) => {
      const context = contextOf(command, io);
      const key = mintCardKey();
      if (context.json) {
        context.printJson(key);
        return;
      }
      context.print(
        [
          `kid: ${key.kid}`,
          '',
          'Give it to every A2A peer replica, first in the list (it signs; the others stay published):',
          `  SB_A2A__SIGNING__KEYS='[${JSON.stringify(key)}]'`,
          'Keep it secret: it is a private key. Its public half appears at /.well-known/jwks.json.',
        ].join('\n'),
      );
    });
}
