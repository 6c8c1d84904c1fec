import type { DeliveredMessage } from '@switchboard/protocol';
import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { Correlations } from './correlations.ts';

const options = { windowMs: 60_000, maxEntries: 100 };

function replyTo(correlationId: string | null): DeliveredMessage {
  return { correlationId } as DeliveredMessage;
}

describe('Correlations', () => {
  it('hands a reply to the request it names, then treats copies as late', async () => {
    const correlations = new Correlations(options);
    const waiting = correlations.wait('r1', new AbortController().signal);
    expect(correlations.take(replyTo('other'))).toBe('none');
    expect(correlations.take(replyTo(null))).toBe('none');
    const reply = replyTo('r1');
    expect(correlations.take(reply)).toBe('reply');
    await expect(waiting).resolves.toBe(reply);
    expect(correlations.take(replyTo('r1'))).toBe('late');
    expect(correlations.size).toBe(0);
  });

  it('rejects with the abort reason and treats a later reply as late', async () => {
    const correlations = new Correlations(options);
    const controller = new AbortController();
    const waiting = correlations.wait('r1', controller.signal);
    const reason = new SbError('E_TIMEOUT', 'no reply');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(correlations.take(replyTo('r1'))).toBe('late');
    await expect(correlations.wait('r2', controller.signal)).rejects.toBe(reason);
    expect(correlations.take(replyTo('r2'))).toBe('late');
  });

  it('stops waiting when the request ends another way', () => {
    const correlations = new Correlations(options);
    const controller = new AbortController();
    void correlations.wait('r1', controller.signal);
    correlations.end('r1');
    controller.abort();
    expect(correlations.size).toBe(0);
    expect(correlations.take(replyTo('r1'))).toBe('late');
  });
});
