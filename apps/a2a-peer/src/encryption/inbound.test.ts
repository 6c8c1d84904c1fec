import { randomBytes } from 'node:crypto';
import { Message, type StreamResponse, Task } from '@a2a-js/sdk';
import { ServerCallContext } from '@a2a-js/sdk/server';
import { describe, expect, it } from 'vitest';
import { createInboundEncryption } from './inbound.ts';
import { createPeerCipher } from './peer-cipher.ts';
import { PEER_ENCRYPTION_URI, type PeerEncryptionMode } from './peer-extension.ts';
import { isSealed, sealMessage } from './sealing.ts';

const cipher = createPeerCipher({ keys: new Map([['k1', randomBytes(32)]]) }, () => undefined);
const inbound = (mode: PeerEncryptionMode = 'prefer') => createInboundEncryption({ mode, cipher });

/** A call context as the SDK builds it, asking for the extension or not, then activated. */
function call(asks: boolean, mode: PeerEncryptionMode = 'prefer') {
  const context = new ServerCallContext(asks ? { requestedExtensions: [PEER_ENCRYPTION_URI] } : {});
  inbound(mode).activate(context);
  return context;
}

const message = (text = 'hello') =>
  Message.fromJSON({ messageId: 'm-1', role: 'ROLE_USER', parts: [{ text }] });

const taskOf = (metadata?: Record<string, unknown>) =>
  Task.fromJSON({
    id: 'task-1',
    contextId: 'ctx-1',
    status: { state: 'TASK_STATE_WORKING' },
    history: [{ ...(Message.toJSON(message()) as object), taskId: 'task-1', contextId: 'ctx-1' }],
    ...(metadata === undefined ? {} : { metadata }),
  });

describe('activation', () => {
  it('activates the extension for a call that asks for it, when this peer encrypts', () => {
    expect(call(true).activatedExtensions).toEqual([PEER_ENCRYPTION_URI]);
    expect(call(false).activatedExtensions).toBeUndefined();
    expect(call(true, 'off').activatedExtensions).toBeUndefined();
  });
});

describe('a caller’s message', () => {
  it('opens a sealed message and names its key', () => {
    const opened = inbound().open(sealMessage(cipher, message(), 'k1'), call(true));
    expect(opened.keyId).toBe('k1');
    expect(Message.toJSON(opened.message)).toEqual(Message.toJSON(message()));
  });

  it('refuses a sealed message from a call that did not activate the extension', () => {
    expect(() => inbound().open(sealMessage(cipher, message(), 'k1'), call(false))).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
  });

  it('takes a message in clear in mode prefer, and refuses it in mode require', () => {
    expect(inbound().open(message(), call(false))).toEqual({
      message: message(),
      keyId: undefined,
    });
    expect(() => inbound('require').open(message(), call(false, 'require'))).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
  });

  it('refuses a message in clear to a task that began sealed', () => {
    const sealedTask = taskOf({ [PEER_ENCRYPTION_URI]: { keyId: 'k1' } });
    expect(() => inbound().open(message(), call(true), sealedTask)).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
    expect(inbound().open(message(), call(true), taskOf()).keyId).toBeUndefined();
  });

  it('leaves everything as it is in mode off', () => {
    const sealed = sealMessage(cipher, message(), 'k1');
    expect(createInboundEncryption({ mode: 'off', cipher }).open(sealed, call(false))).toEqual({
      message: sealed,
      keyId: undefined,
    });
  });
});

describe('answers', () => {
  it('marks a task begun sealed with its key id, and none begun in clear', () => {
    expect(inbound().metadataFor('k1')).toEqual({ [PEER_ENCRYPTION_URI]: { keyId: 'k1' } });
    expect(inbound().metadataFor(undefined)).toBeUndefined();
  });

  it('seals a task that began sealed, for a caller that activated the extension only', () => {
    const sealedTask = taskOf({ [PEER_ENCRYPTION_URI]: { keyId: 'k1' } });
    const answered = inbound().answer(sealedTask, call(true));
    expect(answered.history.every(isSealed)).toBe(true);
    expect(() => inbound().answer(sealedTask, call(false))).toThrow(
      expect.objectContaining({
        code: 'E_ENCRYPTION_REQUIRED',
        message: expect.stringContaining('task task-1 began encrypted'),
      }),
    );
  });

  it('answers a task begun in clear as it is', () => {
    const clear = taskOf();
    expect(inbound().answer(clear, call(true))).toBe(clear);
    expect(
      inbound()
        .answer(taskOf({ other: true }), call(false))
        .history.some(isSealed),
    ).toBe(false);
  });

  it('seals the push notifications of a task that began sealed', () => {
    const event: StreamResponse = { payload: { $case: 'message', value: message() } };
    const sealed = inbound().push(taskOf({ [PEER_ENCRYPTION_URI]: { keyId: 'k1' } }), event);
    expect(sealed.payload?.$case === 'message' && isSealed(sealed.payload.value)).toBe(true);
    expect(inbound().push(taskOf(), event)).toBe(event);
    expect(inbound().push(undefined, event)).toBe(event);
  });

  it('seals each event of a stream of a task that began sealed', () => {
    const event: StreamResponse = { payload: { $case: 'message', value: message() } };
    const seal = inbound().streamFor(
      taskOf({ [PEER_ENCRYPTION_URI]: { keyId: 'k1' } }),
      call(true),
    );
    const sealed = seal(event);
    expect(sealed.payload?.$case === 'message' && isSealed(sealed.payload.value)).toBe(true);
    expect(inbound().streamFor(taskOf(), call(false))(event)).toBe(event);
  });
});
