import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.ts';
import { type SendSession, sendUntilAccepted } from './send-until-accepted.ts';

const message = {
  id: '0190a000-0000-7000-8000-000000000001',
  to: { kind: 'agent' as const, agentId: 'a' },
  payload: 1,
};

function channelOf(...answers: Array<unknown | SbError>) {
  const delays: number[] = [];
  const session: SendSession = {
    isOpen: true,
    request: async () => {
      const answer = answers.shift();
      if (answer instanceof SbError) throw answer;
      return { v: 1, type: 'result', id: 'g', re: 'c', result: answer };
    },
  };
  return {
    delays,
    channel: {
      session: async () => session,
      backoffMs: (attempt: number) => {
        delays.push(attempt);
        return 1;
      },
      log: silentLogger,
    },
  };
}

describe('sendUntilAccepted', () => {
  it('sends again, paced, while an open connection answers that no router answered', async () => {
    const accepted = { messageId: message.id, recipients: 1, duplicate: true };
    const { channel, delays } = channelOf(
      new SbError('E_UNAVAILABLE', 'no router'),
      new SbError('E_TIMEOUT', 'the router was slow'),
      accepted,
    );
    const signal = new AbortController().signal;
    await expect(sendUntilAccepted(channel, message, 1000, signal)).resolves.toEqual(accepted);
    expect(delays).toEqual([1, 2]);
  });

  it('rejects at once on any other error, and on a result that is not a SendResult', async () => {
    const signal = new AbortController().signal;
    const refused = channelOf(new SbError('E_FORBIDDEN', 'no grant'));
    await expect(sendUntilAccepted(refused.channel, message, 1000, signal)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    const odd = channelOf({ accepted: true });
    await expect(sendUntilAccepted(odd.channel, message, 1000, signal)).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message: 'the gateway answered send with an unexpected result',
    });
  });
});
