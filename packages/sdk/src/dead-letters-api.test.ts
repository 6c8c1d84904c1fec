import { describe, expect, it } from 'vitest';
import { createDeadLettersApi } from './dead-letters-api.ts';
import type { OutgoingFrame } from './frames.ts';
import { deliveredMessage } from './test-messages.ts';

const deadLetter = {
  id: '42',
  agentId: 'a1',
  attempts: 5,
  reason: 'max_attempts',
  lastError: { code: 'E_INTERNAL', message: 'boom' },
  deadAt: '2026-01-01T00:00:00.000Z',
  message: deliveredMessage(),
};

function recorder(result: unknown) {
  const sent: Array<{ frame: OutgoingFrame }> = [];
  const send = async (frame: OutgoingFrame) => {
    sent.push({ frame });
    return { v: 1, type: 'result' as const, id: 'g1', re: 'x', result };
  };
  return { sent, send };
}

describe('createDeadLettersApi', () => {
  it('lists with the paging given', async () => {
    const { sent, send } = recorder({ items: [deadLetter], nextCursor: null });
    const api = createDeadLettersApi(send);
    expect(await api.list()).toEqual({ items: [deadLetter], nextCursor: null });
    await api.list({ limit: 10, cursor: '99' });
    expect(sent.map((entry) => entry.frame)).toEqual([
      { type: 'dlq.list' },
      { type: 'dlq.list', limit: 10, cursor: '99' },
    ]);
  });

  it('replays and purges the listed ids or all, and nothing for an empty list', async () => {
    const sent: OutgoingFrame[] = [];
    const api = createDeadLettersApi(async (frame) => {
      sent.push(frame);
      const result = frame.type === 'dlq.replay' ? { replayed: 2 } : { purged: 2 };
      return { v: 1, type: 'result', id: 'g1', re: 'x', result };
    });
    expect(await api.replay({ ids: ['1', '2'] })).toEqual({ replayed: 2 });
    expect(await api.purge({ all: true })).toEqual({ purged: 2 });
    expect(await api.replay({ ids: [] })).toEqual({ replayed: 0 });
    expect(await api.purge({ ids: [] })).toEqual({ purged: 0 });
    expect(sent).toEqual([{ type: 'dlq.replay', ids: ['1', '2'] }, { type: 'dlq.purge' }]);
  });

  it('reads one dead letter by its delivery id', async () => {
    const { sent, send } = recorder(deadLetter);
    const api = createDeadLettersApi(send);
    expect(await api.get('42')).toEqual(deadLetter);
    expect(sent.map((entry) => entry.frame)).toEqual([{ type: 'dlq.get', deliveryId: '42' }]);
    await expect(api.get('not-a-delivery-id')).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });
});
