import { randomBytes } from 'node:crypto';
import { Artifact, Message, Part, type StreamResponse, Task } from '@a2a-js/sdk';
import { createRecordCodec } from '@switchboard/db';
import { describe, expect, it } from 'vitest';
import { createPeerCipher, envelopeOf, type PeerCipher, recordOf } from './peer-cipher.ts';
import { ENVELOPE_MEDIA_TYPE, PEER_ENCRYPTION_URI } from './peer-extension.ts';
import {
  isSealed,
  openEvent,
  openMessage,
  openTask,
  sealEvent,
  sealMessage,
  sealTask,
} from './sealing.ts';

const secret = 'sealing-plaintext-marker';
const keys = new Map([
  ['k1', randomBytes(32)],
  ['k2', randomBytes(32)],
]);

function cipherOver(ring: Map<string, Buffer>, activeKeyId?: string) {
  const failures: { record: string; keyId: string; reason: string }[] = [];
  const cipher = createPeerCipher({ keys: ring, activeKeyId }, (failure) => failures.push(failure));
  return { cipher, failures };
}

const { cipher, failures } = cipherOver(keys, 'k2');

const message = (fields: Record<string, unknown> = {}) =>
  Message.fromJSON({
    messageId: 'm-1',
    contextId: 'ctx-1',
    taskId: 'task-1',
    role: 'ROLE_USER',
    parts: [{ text: secret }, { data: { secret } }],
    metadata: { skill: 'echo' },
    ...fields,
  });

const artifact = (fields: Record<string, unknown> = {}) =>
  Artifact.fromJSON({ artifactId: 'a-1', name: 'copy', parts: [{ text: secret }], ...fields });

const task = () =>
  Task.fromJSON({
    id: 'task-1',
    contextId: 'ctx-1',
    status: {
      state: 'TASK_STATE_COMPLETED',
      message: message({ messageId: 'm-2', role: 'ROLE_AGENT' }),
    },
    history: [message()],
    artifacts: [artifact(), artifact({ artifactId: 'empty', parts: [] })],
  });

const json = (value: unknown) => JSON.stringify(value);

describe('createPeerCipher', () => {
  it('lists the keys it holds, the active one first', () => {
    expect(cipher.keyIds).toEqual(['k2', 'k1']);
    expect(cipherOver(keys).cipher.keyIds).toEqual(['k1', 'k2']);
  });

  it('refuses to seal with a key it does not hold', () => {
    expect(() =>
      cipher.seal([], 'k9', { kind: 'message', contextId: '', taskId: '', messageId: 'm' }),
    ).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });

  it('names records by kind and ids', () => {
    expect(recordOf({ kind: 'message', contextId: 'c', taskId: 't', messageId: 'm' })).toBe(
      'a2a.peer.message:["c","t","m"]',
    );
    expect(recordOf({ kind: 'artifact', contextId: 'c', taskId: 't', artifactId: 'a' })).toBe(
      'a2a.peer.artifact:["c","t","a"]',
    );
  });

  it('reads an envelope only from a data part of its media type', () => {
    const sealed = sealMessage(cipher, message(), 'k1').parts[0] as Part;
    expect(envelopeOf(sealed)).toMatchObject({ v: 1, keyId: 'k1' });
    expect(envelopeOf({ ...sealed, mediaType: 'application/json' })).toBeUndefined();
    expect(
      envelopeOf(Part.fromJSON({ text: 'x', mediaType: ENVELOPE_MEDIA_TYPE })),
    ).toBeUndefined();
    expect(
      envelopeOf(Part.fromJSON({ data: { keyId: 'k1' }, mediaType: ENVELOPE_MEDIA_TYPE })),
    ).toBeUndefined();
  });
});

describe('sealing a message', () => {
  it('replaces its parts by one envelope, keeps ids and metadata, and opens back', () => {
    const sealed = sealMessage(cipher, message(), 'k1');
    expect(sealed.parts).toHaveLength(1);
    expect(sealed.parts[0]?.mediaType).toBe(ENVELOPE_MEDIA_TYPE);
    expect(sealed.extensions).toEqual([PEER_ENCRYPTION_URI]);
    expect(isSealed(sealed)).toBe(true);
    expect(json(Message.toJSON(sealed))).not.toContain(secret);
    expect(sealed).toMatchObject({ messageId: 'm-1', metadata: { skill: 'echo' } });
    // Sealing twice names the extension once.
    expect(
      sealMessage(cipher, { ...message(), extensions: [PEER_ENCRYPTION_URI] }, 'k1').extensions,
    ).toEqual([PEER_ENCRYPTION_URI]);

    const opened = openMessage(cipher, sealed, true);
    expect(opened.keyId).toBe('k1');
    expect(Message.toJSON(opened.value)).toEqual(Message.toJSON(message()));
  });

  it('leaves a message without parts as it is', () => {
    const empty = message({ parts: [] });
    expect(sealMessage(cipher, empty, 'k1')).toBe(empty);
    expect(openMessage(cipher, empty, true)).toEqual({ value: empty, keyId: undefined });
  });

  it('takes a message in clear unless sealed content is required', () => {
    expect(openMessage(cipher, message(), false)).toEqual({ value: message(), keyId: undefined });
    expect(() => openMessage(cipher, message(), true)).toThrow(
      expect.objectContaining({
        code: 'E_ENCRYPTION_REQUIRED',
        message: expect.stringContaining('message m-1 arrived in clear'),
      }),
    );
  });
});

describe('content that does not open', () => {
  const attempt = (sealed: Message, over: PeerCipher = cipher) => {
    failures.length = 0;
    try {
      openMessage(over, sealed, true);
    } catch (error) {
      return error;
    }
    throw new Error('it opened');
  };

  it('detects an altered ciphertext and reports it with the record and key id', () => {
    const sealed = sealMessage(cipher, message(), 'k1');
    const envelope = envelopeOf(sealed.parts[0] as Part) as { ciphertext: string };
    const bytes = Buffer.from(envelope.ciphertext, 'base64');
    bytes[0] = (bytes[0] as number) ^ 1;
    const altered = {
      ...sealed,
      parts: [
        Part.fromJSON({
          data: { ...envelope, ciphertext: bytes.toString('base64') },
          mediaType: ENVELOPE_MEDIA_TYPE,
        }),
      ],
    };
    expect(attempt(altered)).toMatchObject({
      code: 'E_DECRYPT_FAILED',
      message: expect.stringContaining('does not decrypt with key k1'),
      details: { record: 'a2a.peer.message:["ctx-1","task-1","m-1"]', keyId: 'k1' },
    });
    expect(failures).toEqual([
      {
        record: 'a2a.peer.message:["ctx-1","task-1","m-1"]',
        keyId: 'k1',
        reason: expect.stringContaining('does not decrypt'),
      },
    ]);
  });

  it('detects a ciphertext moved to another message', () => {
    const sealed = sealMessage(cipher, message(), 'k1');
    expect(attempt({ ...sealed, messageId: 'm-other' })).toMatchObject({
      code: 'E_DECRYPT_FAILED',
    });
  });

  it('detects a key of the same id that is not the same key', () => {
    const impostor = cipherOver(new Map([['k1', randomBytes(32)]])).cipher;
    expect(attempt(sealMessage(impostor, message(), 'k1'))).toMatchObject({
      code: 'E_DECRYPT_FAILED',
    });
  });

  it('names a key that is not held', () => {
    const stranger = cipherOver(new Map([['k9', randomBytes(32)]])).cipher;
    expect(attempt(sealMessage(stranger, message(), 'k9'))).toMatchObject({
      code: 'E_DECRYPT_FAILED',
      message: expect.stringContaining('key k9 is not held here'),
      details: { keyId: 'k9' },
    });
  });

  it('refuses content that claims the extension but is not one envelope', () => {
    const claimed = { ...message(), extensions: [PEER_ENCRYPTION_URI] };
    expect(attempt(claimed)).toMatchObject({
      code: 'E_DECRYPT_FAILED',
      message: expect.stringContaining('not one Switchboard envelope part'),
    });
    const sealed = sealMessage(cipher, message(), 'k1');
    expect(attempt({ ...sealed, parts: [...sealed.parts, ...sealed.parts] })).toMatchObject({
      code: 'E_DECRYPT_FAILED',
    });
  });

  it('refuses sealed content that is not a list of parts', () => {
    const record = recordOf({
      kind: 'message',
      contextId: 'ctx-1',
      taskId: 'task-1',
      messageId: 'm-1',
    });
    const sealed = createRecordCodec({ keys, activeKeyId: 'k1' }).encode(
      Buffer.from('{"not":"parts"}'),
      record,
    );
    const forged = {
      ...message(),
      extensions: [PEER_ENCRYPTION_URI],
      parts: [
        Part.fromJSON({
          data: {
            v: 1,
            keyId: 'k1',
            nonce: (sealed.nonce as Buffer).toString('base64'),
            ciphertext: sealed.bytes.toString('base64'),
          },
          mediaType: ENVELOPE_MEDIA_TYPE,
        }),
      ],
    };
    expect(attempt(forged)).toMatchObject({
      code: 'E_DECRYPT_FAILED',
      message: expect.stringContaining('not a list of parts'),
    });
  });
});

describe('sealing a task and its stream', () => {
  it('seals the status message, the history and the artifacts, and opens them back', () => {
    const sealed = sealTask(cipher, task(), 'k2');
    const wire = json(Task.toJSON(sealed));
    expect(wire).not.toContain(secret);
    expect(sealed.status?.state).toBe(task().status?.state);
    expect(sealed.artifacts.map((item) => [item.name, isSealed(item)])).toEqual([
      ['copy', true],
      ['copy', false],
    ]);
    expect(Task.toJSON(openTask(cipher, sealed, true))).toEqual(Task.toJSON(task()));
  });

  it('keeps a task without a status', () => {
    const bare = { ...task(), status: undefined };
    expect(openTask(cipher, sealTask(cipher, bare, 'k1'), true).status).toBeUndefined();
  });

  it('refuses an artifact in clear when sealed content is required', () => {
    const clearArtifact = { ...task(), status: undefined, history: [] };
    expect(() => openTask(cipher, clearArtifact, true)).toThrow(
      expect.objectContaining({
        code: 'E_ENCRYPTION_REQUIRED',
        message: expect.stringContaining('artifact a-1 arrived in clear'),
      }),
    );
    expect(openTask(cipher, clearArtifact, false)).toEqual(clearArtifact);
  });

  it('seals every kind of stream response and opens it back', () => {
    const events: StreamResponse[] = [
      { payload: { $case: 'task', value: task() } },
      { payload: { $case: 'message', value: message() } },
      {
        payload: {
          $case: 'statusUpdate',
          value: {
            taskId: 'task-1',
            contextId: 'ctx-1',
            status: task().status,
            metadata: undefined,
          },
        },
      },
      {
        payload: {
          $case: 'artifactUpdate',
          value: {
            taskId: 'task-1',
            contextId: 'ctx-1',
            artifact: artifact(),
            append: true,
            lastChunk: false,
            metadata: undefined,
          },
        },
      },
    ];
    for (const event of events) {
      const sealed = sealEvent(cipher, event, 'k1');
      expect(json(sealed)).not.toContain(secret);
      expect(openEvent(cipher, sealed, true)).toEqual(event);
    }
  });

  it('passes stream responses that carry nothing to seal', () => {
    const nothing: StreamResponse[] = [
      { payload: undefined },
      {
        payload: {
          $case: 'statusUpdate',
          value: { taskId: 't', contextId: 'c', status: undefined, metadata: undefined },
        },
      },
      {
        payload: {
          $case: 'statusUpdate',
          value: {
            taskId: 't',
            contextId: 'c',
            status: { state: 0, message: undefined, timestamp: undefined },
            metadata: undefined,
          },
        },
      },
      {
        payload: {
          $case: 'artifactUpdate',
          value: {
            taskId: 't',
            contextId: 'c',
            artifact: undefined,
            append: false,
            lastChunk: true,
            metadata: undefined,
          },
        },
      },
    ];
    for (const event of nothing) {
      expect(sealEvent(cipher, event, 'k1')).toBe(event);
      expect(openEvent(cipher, event, true)).toBe(event);
    }
  });
});
