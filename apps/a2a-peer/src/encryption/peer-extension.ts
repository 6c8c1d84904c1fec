import type { AgentCard, AgentExtension } from '@a2a-js/sdk';
import { PayloadKeyIdSchema } from '@switchboard/config';
import { SbError } from '@switchboard/protocol';
import { z } from 'zod';

// The Switchboard A2A extension for encrypted payloads (an A2A extension: declared in the card's
// capabilities, activated per request by the `A2A-Extensions` header, named in the `extensions`
// of each message and artifact it sealed). What it decides is pure: which key two peers share.

/** The extension's URI: its version is part of it. */
export const PEER_ENCRYPTION_URI = 'https://switchboard.dev/a2a/ext/encrypted-payloads/v1';

/** The media type of the one data part that holds a sealed envelope. */
export const ENVELOPE_MEDIA_TYPE = 'application/vnd.switchboard.a2a-encrypted+json';

/** How a peer treats A2A traffic with other peers (`a2a.peerEncryption.mode`). */
export type PeerEncryptionMode = 'off' | 'prefer' | 'require';

const ParamsSchema = z.object({ keyIds: z.array(PayloadKeyIdSchema).max(64) });

/**
 * The extension as a card declares it: the ids of the keys this peer accepts (never the keys),
 * `required` in mode `require`. Undefined when this peer does not encrypt (mode `off`, no keys).
 */
export function peerEncryptionExtension(
  mode: PeerEncryptionMode,
  keyIds: readonly string[],
): AgentExtension | undefined {
  if (mode === 'off' || keyIds.length === 0) return undefined;
  return {
    uri: PEER_ENCRYPTION_URI,
    description:
      'Message parts and artifacts encrypted with AES-256-GCM under a key shared between Switchboard peers; params.keyIds names the keys accepted',
    required: mode === 'require',
    params: { keyIds: [...keyIds] },
  };
}

/** The key ids a remote card accepts through the extension (empty: it does not declare it). */
export function acceptedKeyIdsOf(card: AgentCard): string[] {
  const declared = card.capabilities?.extensions.find((item) => item.uri === PEER_ENCRYPTION_URI);
  const parsed = ParamsSchema.safeParse(declared?.params);
  return parsed.success ? parsed.data.keyIds : [];
}

/**
 * The key to seal a call to a peer with: the first of `held` (active first) that its card
 * accepts, or undefined to call in clear (a peer without the extension or a shared key, or mode
 * `off`).
 * @throws SbError `E_ENCRYPTION_REQUIRED` in mode `require` when no key is shared.
 */
export function sharedKeyFor(
  peer: string,
  card: AgentCard,
  mode: PeerEncryptionMode,
  held: readonly string[],
): string | undefined {
  if (mode === 'off') return undefined;
  const accepted = acceptedKeyIdsOf(card);
  const shared = held.find((keyId) => accepted.includes(keyId));
  if (shared === undefined && mode === 'require') {
    throw new SbError(
      'E_ENCRYPTION_REQUIRED',
      accepted.length === 0
        ? `the A2A peer ${peer} does not offer the encrypted-payloads extension, and a2a.peerEncryption.mode is require: ask its operator to turn it on, or set mode prefer to call it in clear`
        : `the A2A peer ${peer} accepts keys ${accepted.join(', ')}, none of which is held here (a2a.peerEncryption.keys): share one of them`,
      { details: { peer, accepted } },
    );
  }
  return shared;
}
