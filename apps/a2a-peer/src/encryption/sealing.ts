import type { Artifact, Message, StreamResponse, Task } from '@a2a-js/sdk';
import { SbError } from '@switchboard/protocol';
import type { PeerCipher } from './peer-cipher.ts';
import { PEER_ENCRYPTION_URI } from './peer-extension.ts';

// What the extension encrypts of what travels: the parts of every message (the caller's, the
// history, the status messages) and of every artifact. Ids, states, times, names and metadata
// stay in clear: the peers route and follow tasks by them.

type Content = Message | Artifact;

const messageRecord = (message: Message) => ({
  kind: 'message' as const,
  contextId: message.contextId,
  taskId: message.taskId,
  messageId: message.messageId,
});

const artifactRecord = (artifact: Artifact, place: Place) => ({
  kind: 'artifact' as const,
  ...place,
  artifactId: artifact.artifactId,
});

/** Ids a content's ciphertext is bound to, beyond its own: its task's (artifacts have none). */
interface Place {
  contextId: string;
  taskId: string;
}

/** Seals (or opens) one message or artifact in its place. */
interface ContentTransform {
  message(message: Message): Message;
  artifact(artifact: Artifact, place: Place): Artifact;
}

const withoutUri = (extensions: readonly string[]) =>
  extensions.filter((uri) => uri !== PEER_ENCRYPTION_URI);

/** True when `content` says the extension sealed it. */
export function isSealed(content: Content): boolean {
  return content.extensions.includes(PEER_ENCRYPTION_URI);
}

function mapTask(task: Task, transform: ContentTransform): Task {
  const place = { contextId: task.contextId, taskId: task.id };
  const message = task.status?.message;
  return {
    ...task,
    status:
      task.status === undefined
        ? undefined
        : {
            ...task.status,
            message: message === undefined ? undefined : transform.message(message),
          },
    history: task.history.map((item) => transform.message(item)),
    artifacts: task.artifacts.map((artifact) => transform.artifact(artifact, place)),
  };
}

function mapEvent(event: StreamResponse, transform: ContentTransform): StreamResponse {
  const payload = event.payload;
  switch (payload?.$case) {
    case 'task':
      return { payload: { $case: 'task', value: mapTask(payload.value, transform) } };
    case 'message':
      return { payload: { $case: 'message', value: transform.message(payload.value) } };
    case 'statusUpdate': {
      const update = payload.value;
      const message = update.status?.message;
      if (update.status === undefined || message === undefined) return event;
      return {
        payload: {
          $case: 'statusUpdate',
          value: { ...update, status: { ...update.status, message: transform.message(message) } },
        },
      };
    }
    case 'artifactUpdate': {
      const update = payload.value;
      if (update.artifact === undefined) return event;
      const place = { contextId: update.contextId, taskId: update.taskId };
      return {
        payload: {
          $case: 'artifactUpdate',
          value: { ...update, artifact: transform.artifact(update.artifact, place) },
        },
      };
    }
    default:
      return event;
  }
}

function sealing(cipher: PeerCipher, keyId: string): ContentTransform {
  return {
    message: (message) =>
      message.parts.length === 0
        ? message
        : {
            ...message,
            parts: [cipher.seal(message.parts, keyId, messageRecord(message))],
            extensions: [...withoutUri(message.extensions), PEER_ENCRYPTION_URI],
          },
    artifact: (artifact, place) =>
      artifact.parts.length === 0
        ? artifact
        : {
            ...artifact,
            parts: [cipher.seal(artifact.parts, keyId, artifactRecord(artifact, place))],
            extensions: [...withoutUri(artifact.extensions), PEER_ENCRYPTION_URI],
          },
  };
}

/**
 * What a peer received, opened: sealed content decrypted (with the key it names), content in
 * clear kept unless `requireSealed`. `keyIds` collects the keys that opened something.
 */
function opening(
  cipher: PeerCipher,
  requireSealed: boolean,
  keyIds: Set<string>,
): ContentTransform {
  const clear = (what: string) => {
    if (requireSealed) {
      throw new SbError(
        'E_ENCRYPTION_REQUIRED',
        `${what} arrived in clear, and a2a.peerEncryption.mode is require (or the exchange began encrypted): the other side must seal it with the encrypted-payloads extension`,
      );
    }
  };
  return {
    message(message) {
      if (!isSealed(message)) {
        if (message.parts.length > 0) clear(`message ${message.messageId}`);
        return message;
      }
      const opened = cipher.open(message.parts, messageRecord(message));
      keyIds.add(opened.keyId);
      return { ...message, parts: opened.parts, extensions: withoutUri(message.extensions) };
    },
    artifact(artifact, place) {
      if (!isSealed(artifact)) {
        if (artifact.parts.length > 0) clear(`artifact ${artifact.artifactId}`);
        return artifact;
      }
      const opened = cipher.open(artifact.parts, artifactRecord(artifact, place));
      keyIds.add(opened.keyId);
      return { ...artifact, parts: opened.parts, extensions: withoutUri(artifact.extensions) };
    },
  };
}

/** `message` with its parts sealed under `keyId`. */
export function sealMessage(cipher: PeerCipher, message: Message, keyId: string): Message {
  return sealing(cipher, keyId).message(message);
}

/** `task` with every message and artifact sealed under `keyId`. */
export function sealTask(cipher: PeerCipher, task: Task, keyId: string): Task {
  return mapTask(task, sealing(cipher, keyId));
}

/** A stream response with what it carries sealed under `keyId`. */
export function sealEvent(
  cipher: PeerCipher,
  event: StreamResponse,
  keyId: string,
): StreamResponse {
  return mapEvent(event, sealing(cipher, keyId));
}

/** What opening found: the content in clear and the keys that were used. */
export interface Opened<T> {
  value: T;
  /** The key that sealed the content (the first when several did), or undefined: all clear. */
  keyId: string | undefined;
}

const opened = <T>(value: T, keyIds: Set<string>): Opened<T> => ({
  value,
  keyId: [...keyIds][0],
});

/**
 * A received message opened.
 * @throws SbError `E_DECRYPT_FAILED` (sealed content that does not open) or
 *   `E_ENCRYPTION_REQUIRED` (content in clear while `requireSealed`).
 */
export function openMessage(
  cipher: PeerCipher,
  message: Message,
  requireSealed: boolean,
): Opened<Message> {
  const keyIds = new Set<string>();
  return opened(opening(cipher, requireSealed, keyIds).message(message), keyIds);
}

/** A received task opened (see {@link openMessage}). */
export function openTask(cipher: PeerCipher, task: Task, requireSealed: boolean): Task {
  return mapTask(task, opening(cipher, requireSealed, new Set()));
}

/** A received stream response opened (see {@link openMessage}). */
export function openEvent(
  cipher: PeerCipher,
  event: StreamResponse,
  requireSealed: boolean,
): StreamResponse {
  return mapEvent(event, opening(cipher, requireSealed, new Set()));
}
