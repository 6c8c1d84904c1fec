import { randomBytes } from 'node:crypto';
import { AgentCard, Message, type StreamResponse, Task } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { createOutboundEncryption } from './outbound.ts';
import { createPeerCipher } from './peer-cipher.ts';
import { PEER_ENCRYPTION_URI } from './peer-extension.ts';
import { isSealed, sealMessage, sealTask } from './sealing.ts';

const cipher = createPeerCipher({ keys: new Map([['k1', randomBytes(32)]]) }, () => undefined);
const outbound = createOutboundEncryption({ mode: 'prefer', cipher });

const card = (extensions: unknown[]) =>
  AgentCard.fromJSON({ name: 'Remote', capabilities: { extensions } });
const switchboard = card([{ uri: PEER_ENCRYPTION_URI, params: { keyIds: ['k1'] } }]);
const other = card([]);

const message = () =>
  Message.fromJSON({ messageId: 'm-1', role: 'ROLE_USER', parts: [{ text: 'hello' }] });
const task = () =>
  Task.fromJSON({
    id: 't-1',
    contextId: 'c-1',
    status: { state: 'TASK_STATE_COMPLETED', message: Message.toJSON(message()) },
  });

describe('calls to a peer that shares a key', () => {
  const plan = outbound.plan('away', switchboard);
  const signal = new AbortController().signal;

  it('seals the message and activates the extension', () => {
    expect(plan).toEqual({ keyId: 'k1' });
    expect(isSealed(outbound.seal(plan, message()))).toBe(true);
    expect(outbound.options(plan, signal)).toEqual({
      signal,
      serviceParameters: { 'A2A-Extensions': PEER_ENCRYPTION_URI },
    });
  });

  it('opens sealed answers and refuses answers in clear', () => {
    const sealedTask = sealTask(cipher, task(), 'k1');
    expect(Task.toJSON(outbound.openTask(plan, sealedTask))).toEqual(Task.toJSON(task()));
    expect(() => outbound.openTask(plan, task())).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
    expect(
      Message.toJSON(outbound.openMessage(plan, sealMessage(cipher, message(), 'k1'))),
    ).toEqual(Message.toJSON(message()));
    const event: StreamResponse = { payload: { $case: 'message', value: message() } };
    expect(() => outbound.openEvent(plan, event)).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
  });
});

describe('calls to a peer without the extension', () => {
  const plan = outbound.plan('plain', other);

  it('goes in clear and takes answers in clear', () => {
    expect(plan).toEqual({ keyId: undefined });
    const signal = new AbortController().signal;
    expect(outbound.options(plan, signal)).toEqual({ signal });
    expect(outbound.seal(plan, message())).toEqual(message());
    expect(outbound.openTask(plan, task())).toEqual(task());
    expect(outbound.openMessage(plan, message())).toEqual(message());
    const event: StreamResponse = { payload: { $case: 'message', value: message() } };
    expect(outbound.openEvent(plan, event)).toEqual(event);
  });

  it('is refused in mode require', () => {
    const strict = createOutboundEncryption({ mode: 'require', cipher });
    expect(() => strict.plan('plain', other)).toThrow(
      expect.objectContaining({ code: 'E_ENCRYPTION_REQUIRED' }),
    );
  });
});
