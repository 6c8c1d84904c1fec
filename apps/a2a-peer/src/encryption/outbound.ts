import type { AgentCard, Message, StreamResponse, Task } from '@a2a-js/sdk';
import { type RequestOptions, ServiceParameters, withA2AExtensions } from '@a2a-js/sdk/client';
import type { PeerEncryption } from './inbound.ts';
import { PEER_ENCRYPTION_URI, sharedKeyFor } from './peer-extension.ts';
import { openEvent, openMessage, openTask, sealMessage } from './sealing.ts';

// The calling side of the extension: a call to a peer whose card accepts a key held here is
// sealed with it and activates the extension; what comes back is opened before anyone sees it.
// Once a call went sealed, an answer in clear is refused: it can only be a downgrade.

/** How the calls to one peer go: sealed under `keyId`, or in clear when it is undefined. */
export interface CallPlan {
  readonly keyId: string | undefined;
}

/** The calling side of the extension (see {@link createOutboundEncryption}). */
export type OutboundEncryption = ReturnType<typeof createOutboundEncryption>;

/** The calling side over `encryption`. */
export function createOutboundEncryption(encryption: PeerEncryption) {
  const { cipher } = encryption;
  return {
    /**
     * How to call the peer named `peer` with `card`.
     * @throws SbError `E_ENCRYPTION_REQUIRED` in mode `require` when it shares no key.
     */
    plan(peer: string, card: AgentCard): CallPlan {
      return { keyId: sharedKeyFor(peer, card, encryption.mode, cipher.keyIds) };
    },

    /** Request options that activate the extension for a sealed plan. */
    options(plan: CallPlan, signal: AbortSignal): RequestOptions {
      if (plan.keyId === undefined) return { signal };
      return {
        signal,
        serviceParameters: ServiceParameters.create(withA2AExtensions(PEER_ENCRYPTION_URI)),
      };
    },

    /** The message as it goes out. */
    seal(plan: CallPlan, message: Message): Message {
      return plan.keyId === undefined ? message : sealMessage(cipher, message, plan.keyId);
    },

    /** A task the peer answered, opened. */
    openTask(plan: CallPlan, task: Task): Task {
      return openTask(cipher, task, plan.keyId !== undefined);
    },

    /** A message the peer answered, opened. */
    openMessage(plan: CallPlan, message: Message): Message {
      return openMessage(cipher, message, plan.keyId !== undefined).value;
    },

    /** A stream response of the peer, opened. */
    openEvent(plan: CallPlan, event: StreamResponse): StreamResponse {
      return openEvent(cipher, event, plan.keyId !== undefined);
    },
  };
}
