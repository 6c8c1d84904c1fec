import type { Message, StreamResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { SbError } from '@switchboard/protocol';
import { z } from 'zod';
import type { PeerCipher } from './peer-cipher.ts';
import { PEER_ENCRYPTION_URI, type PeerEncryptionMode } from './peer-extension.ts';
import { openMessage, sealEvent, sealTask } from './sealing.ts';

// The serving side of the extension: a caller's sealed message is opened before the agent sees
// it, and a task that began sealed is only ever answered sealed, under the key it began with
// (kept in the task's metadata: an id, never a key).

const TaskKeySchema = z.object({ keyId: z.string().min(1) });

/** The serving side's encryption, fixed at start. */
export interface PeerEncryption {
  mode: PeerEncryptionMode;
  cipher: PeerCipher;
}

/** What the request handler asks of the extension (see {@link createInboundEncryption}). */
export type InboundEncryption = ReturnType<typeof createInboundEncryption>;

/** The serving side of the extension over `encryption`. */
export function createInboundEncryption(encryption: PeerEncryption) {
  const enabled = encryption.mode !== 'off' && encryption.cipher.keyIds.length > 0;

  const isActivated = (context: ServerCallContext) =>
    context.activatedExtensions?.includes(PEER_ENCRYPTION_URI) === true;

  /** The key a task began sealed with, if it did. */
  const keyOf = (task: Task): string | undefined => {
    const parsed = TaskKeySchema.safeParse(task.metadata?.[PEER_ENCRYPTION_URI]);
    return parsed.success ? parsed.data.keyId : undefined;
  };

  // A task that began sealed goes out sealed, to a caller that activated the extension only.
  const keyForAnswer = (task: Task, context: ServerCallContext): string | undefined => {
    const keyId = keyOf(task);
    if (keyId !== undefined && !isActivated(context)) {
      throw new SbError(
        'E_ENCRYPTION_REQUIRED',
        `task ${task.id} began encrypted: call with the header A2A-Extensions: ${PEER_ENCRYPTION_URI}`,
      );
    }
    return keyId;
  };

  return {
    /**
     * Activates the extension for a call that asked for it (`A2A-Extensions`) when this peer
     * encrypts; the SDK echoes the activated ones in the response header. Call it before a
     * stream starts: the headers go out first.
     */
    activate(context: ServerCallContext): void {
      if (enabled && context.requestedExtensions?.includes(PEER_ENCRYPTION_URI) === true) {
        context.addActivatedExtension(PEER_ENCRYPTION_URI);
      }
    },

    /**
     * The caller's message opened, and the key it came sealed with. `task`: the task it
     * continues (one that began sealed takes sealed messages only).
     * @throws SbError `E_DECRYPT_FAILED`, or `E_ENCRYPTION_REQUIRED` for a message in clear in
     *   mode `require` or to a task that began sealed, or a sealed one from a caller that did not
     *   activate the extension (its answer could not be sealed).
     */
    open(
      message: Message,
      context: ServerCallContext,
      task?: Task,
    ): { message: Message; keyId: string | undefined } {
      if (!enabled) return { message, keyId: undefined };
      const requireSealed =
        encryption.mode === 'require' || (task !== undefined && keyOf(task) !== undefined);
      const opened = openMessage(encryption.cipher, message, requireSealed);
      if (opened.keyId !== undefined && !isActivated(context)) {
        throw new SbError(
          'E_ENCRYPTION_REQUIRED',
          `message ${message.messageId} is encrypted, but the call did not activate the extension: send the header A2A-Extensions: ${PEER_ENCRYPTION_URI}`,
        );
      }
      return { message: opened.value, keyId: opened.keyId };
    },

    /** The metadata that marks a new task as begun sealed under `keyId`. */
    metadataFor(keyId: string | undefined): Task['metadata'] {
      return keyId === undefined ? undefined : { [PEER_ENCRYPTION_URI]: { keyId } };
    },

    /** A task as the caller gets it: sealed when it began sealed. */
    answer(task: Task, context: ServerCallContext): Task {
      const keyId = keyForAnswer(task, context);
      return keyId === undefined ? task : sealTask(encryption.cipher, task, keyId);
    },

    /**
     * A push notification of `task` as it goes out: sealed when the task began sealed (its
     * receiver belongs to the caller that sealed it; a push carries no activation of its own).
     */
    push(task: Task | undefined, event: StreamResponse): StreamResponse {
      const keyId = task === undefined ? undefined : keyOf(task);
      return keyId === undefined ? event : sealEvent(encryption.cipher, event, keyId);
    },

    /**
     * The sealing of a task's stream for the caller, checked once when the stream starts
     * (`task`: as it is then).
     */
    streamFor(task: Task, context: ServerCallContext): (event: StreamResponse) => StreamResponse {
      const keyId = keyForAnswer(task, context);
      return keyId === undefined
        ? (event) => event
        : (event) => sealEvent(encryption.cipher, event, keyId);
    },
  };
}
