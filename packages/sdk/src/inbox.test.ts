import { type DeliveredMessage, type JsonValue, SbError } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import { Correlations } from './correlations.ts';
import { Inbox } from './inbox.ts';
import type { SdkLogger } from './logger.ts';
import type { DeliveryOutcome } from './outcome.ts';
import { deliveredMessage, deliverFrame, gate } from './test-messages.ts';

const dedup = { windowMs: 60_000, maxEntries: 1000 };

function setup(
  options: {
    concurrency?: number;
    reply?: (replyTo: string, request: DeliveredMessage, payload: JsonValue) => Promise<unknown>;
    dedup?: { windowMs: number; maxEntries: number };
  } = {},
) {
  const answers: Array<{ deliveryId: string; outcome: DeliveryOutcome }> = [];
  const replies: Array<{ replyTo: string; requestId: string; payload: JsonValue }> = [];
  const logged: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (_fields: Record<string, unknown>, message: string) =>
    void logged.push({ level, message });
  const log: SdkLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  const correlations = new Correlations(dedup);
  const inbox = new Inbox({
    concurrency: options.concurrency ?? 1,
    dedup: options.dedup ?? dedup,
    correlations,
    answer: (deliveryId, outcome) => void answers.push({ deliveryId, outcome }),
    reply:
      options.reply ??
      (async (replyTo, request, payload) =>
        void replies.push({ replyTo, requestId: request.id, payload })),
    log,
  });
  return { inbox, answers, replies, logged, correlations };
}

const ack = { kind: 'ack' };

describe('Inbox', () => {
  it('acks a delivery once the handler resolved, with the delivery as context', async () => {
    const { inbox, answers } = setup();
    const calls: unknown[] = [];
    const release = gate();
    inbox.setHandler(async (message, context) => {
      calls.push({ id: message.id, ...context });
      await release.promise;
    });
    const message = deliveredMessage();
    inbox.receive(deliverFrame(message, { deliveryId: '7', attempt: 2 }));
    await waitFor(() => calls.length === 1);
    expect(calls).toEqual([{ id: message.id, deliveryId: '7', attempt: 2 }]);
    expect(answers).toEqual([]);
    release.open();
    await waitFor(() => answers.length === 1);
    expect(answers).toEqual([{ deliveryId: '7', outcome: ack }]);
  });

  it('nacks when the handler throws, logging a bug as an error and an SbError as a warning', async () => {
    const { inbox, answers, logged } = setup();
    inbox.setHandler((message) => {
      if (message.payload === 'bug') throw new Error('boom');
      throw new SbError('E_CONFLICT', 'later', { details: { retryAfterMs: 50 } });
    });
    inbox.receive(deliverFrame(deliveredMessage({ payload: 'bug' }), { deliveryId: '1' }));
    inbox.receive(deliverFrame(deliveredMessage(), { deliveryId: '2' }));
    await waitFor(() => answers.length === 2);
    expect(answers).toEqual([
      {
        deliveryId: '1',
        outcome: { kind: 'nack', error: expect.objectContaining({ code: 'E_INTERNAL' }) },
      },
      {
        deliveryId: '2',
        outcome: {
          kind: 'nack',
          error: { code: 'E_CONFLICT', message: 'later', details: { retryAfterMs: 50 } },
          retryAfterMs: 50,
        },
      },
    ]);
    expect(logged.filter((line) => line.message === 'the handler failed')).toEqual([
      { level: 'error', message: 'the handler failed' },
      { level: 'warn', message: 'the handler failed' },
    ]);
  });

  it('holds deliveries while no handler is set, and hands them over in order', async () => {
    const { inbox, answers } = setup();
    const seen: JsonValue[] = [];
    inbox.receive(deliverFrame(deliveredMessage({ payload: 1 })));
    inbox.receive(deliverFrame(deliveredMessage({ payload: 2 })));
    expect(inbox.queued).toBe(2);
    const remove = inbox.setHandler((message) => void seen.push(message.payload));
    await waitFor(() => answers.length === 2);
    remove();
    inbox.receive(deliverFrame(deliveredMessage({ payload: 3 })));
    expect(inbox.queued).toBe(1);
    const replaced = inbox.setHandler((message) => void seen.push(`first ${message.payload}`));
    inbox.setHandler((message) => void seen.push(`second ${message.payload}`));
    replaced();
    await waitFor(() => answers.length === 3);
    expect(seen).toEqual([1, 2, 'first 3']);
    inbox.receive(deliverFrame(deliveredMessage({ payload: 4 })));
    await waitFor(() => answers.length === 4);
    expect(seen.at(-1)).toBe('second 4');
  });

  it('runs one handler call at a time by default, and `concurrency` with more', async () => {
    for (const concurrency of [1, 2]) {
      const { inbox, answers } = setup({ concurrency });
      const gates = [gate(), gate(), gate()];
      const started: number[] = [];
      inbox.setHandler(async (message) => {
        const index = message.payload as number;
        started.push(index);
        await gates[index]?.promise;
      });
      for (const index of [0, 1, 2])
        inbox.receive(deliverFrame(deliveredMessage({ payload: index })));
      await waitFor(() => started.length === concurrency);
      expect(inbox.queued).toBe(3 - concurrency);
      gates[1]?.open();
      gates[0]?.open();
      await waitFor(() => started.length === 3);
      gates[2]?.open();
      await waitFor(() => answers.length === 3);
      expect(started).toEqual([0, 1, 2]);
    }
  });

  it('acks a duplicate of a handled message without calling the handler', async () => {
    const { inbox, answers, logged } = setup();
    let calls = 0;
    inbox.setHandler(() => {
      calls += 1;
    });
    const message = deliveredMessage();
    inbox.receive(deliverFrame(message, { deliveryId: '1' }));
    await waitFor(() => answers.length === 1);
    inbox.receive(deliverFrame(message, { deliveryId: '1', attempt: 2 }));
    expect(answers).toEqual([
      { deliveryId: '1', outcome: ack },
      { deliveryId: '1', outcome: ack },
    ]);
    expect(calls).toBe(1);
    expect(logged).toContainEqual({ level: 'debug', message: 'acked a duplicate delivery' });
  });

  it('answers a copy that arrives during the handling like the first: ack, or nack', async () => {
    const { inbox, answers } = setup();
    let calls = 0;
    const outcomes = [gate(), gate()];
    inbox.setHandler(async () => {
      calls += 1;
      await outcomes[calls - 1]?.promise;
    });
    const failing = deliveredMessage();
    inbox.receive(deliverFrame(failing, { deliveryId: '1' }));
    inbox.receive(deliverFrame(failing, { deliveryId: '2' }));
    await waitFor(() => calls === 1);
    outcomes[0]?.fail(new SbError('E_UNAVAILABLE', 'try later'));
    await waitFor(() => answers.length === 2);
    expect(answers.map((answer) => [answer.deliveryId, answer.outcome.kind])).toEqual([
      ['1', 'nack'],
      ['2', 'nack'],
    ]);
    // The failure is forgotten: the next copy runs the handler again.
    inbox.receive(deliverFrame(failing, { deliveryId: '1', attempt: 2 }));
    inbox.receive(deliverFrame(failing, { deliveryId: '3' }));
    await waitFor(() => calls === 2);
    outcomes[1]?.open();
    await waitFor(() => answers.length === 4);
    expect(answers.slice(2).map((answer) => [answer.deliveryId, answer.outcome.kind])).toEqual([
      ['1', 'ack'],
      ['3', 'ack'],
    ]);
    expect(calls).toBe(2);
  });

  it('sends the handler’s value back when the sender asked for a reply, then acks', async () => {
    const { inbox, answers, replies } = setup();
    inbox.setHandler((message) => (message.payload === 'quiet' ? undefined : { sum: 3 }));
    const request = deliveredMessage({ replyTo: 'asker' });
    inbox.receive(deliverFrame(request, { deliveryId: '1' }));
    inbox.receive(deliverFrame(deliveredMessage({ replyTo: 'asker', payload: 'quiet' })));
    inbox.receive(deliverFrame(deliveredMessage()));
    await waitFor(() => answers.length === 3);
    expect(replies).toEqual([{ replyTo: 'asker', requestId: request.id, payload: { sum: 3 } }]);
    expect(answers.every((answer) => answer.outcome.kind === 'ack')).toBe(true);
  });

  it('nacks when the reply cannot be sent', async () => {
    const { inbox, answers } = setup({
      reply: async () => {
        throw new SbError('E_NOT_FOUND', 'no agent asker');
      },
    });
    inbox.setHandler(() => 'answer');
    inbox.receive(deliverFrame(deliveredMessage({ replyTo: 'asker' }), { deliveryId: '1' }));
    await waitFor(() => answers.length === 1);
    expect(answers[0]?.outcome).toMatchObject({ kind: 'nack', error: { code: 'E_NOT_FOUND' } });
  });

  /** A reply sender whose first send fails (the router restarting); it records the others. */
  function replyFailingOnce() {
    let failures = 1;
    const sent: JsonValue[] = [];
    const reply = async (_replyTo: string, _request: DeliveredMessage, payload: JsonValue) => {
      if (failures > 0) {
        failures -= 1;
        throw new SbError('E_UNAVAILABLE', 'the router is restarting');
      }
      sent.push(payload);
    };
    return { sent, reply };
  }

  it('sends a reply that failed again with the next copy, without running the handler again', async () => {
    const { sent, reply } = replyFailingOnce();
    const { inbox, answers } = setup({ reply });
    let calls = 0;
    inbox.setHandler(() => {
      calls += 1;
      return { call: calls };
    });
    const request = deliveredMessage({ replyTo: 'asker' });
    inbox.receive(deliverFrame(request, { deliveryId: '1' }));
    await waitFor(() => answers.length === 1);
    expect(answers[0]?.outcome).toMatchObject({ kind: 'nack', error: { code: 'E_UNAVAILABLE' } });
    inbox.receive(deliverFrame(request, { deliveryId: '2', attempt: 2 }));
    await waitFor(() => answers.length === 2);
    expect(answers[1]).toEqual({ deliveryId: '2', outcome: ack });
    expect(calls).toBe(1);
    expect(sent).toEqual([{ call: 1 }]);
  });

  it('keeps a null reply too: its next copy sends null without running the handler', async () => {
    const { sent, reply } = replyFailingOnce();
    const { inbox, answers } = setup({ reply });
    let calls = 0;
    inbox.setHandler(() => {
      calls += 1;
      return null;
    });
    const request = deliveredMessage({ replyTo: 'asker' });
    inbox.receive(deliverFrame(request, { deliveryId: '1' }));
    await waitFor(() => answers.length === 1);
    inbox.receive(deliverFrame(request, { deliveryId: '2', attempt: 2 }));
    await waitFor(() => answers.length === 2);
    expect(answers[1]).toEqual({ deliveryId: '2', outcome: ack });
    expect(calls).toBe(1);
    expect(sent).toEqual([null]);
  });

  it('keeps at most the duplicate window’s count of unsent replies, dropping the oldest', async () => {
    const { inbox, answers } = setup({
      reply: async () => {
        throw new SbError('E_UNAVAILABLE', 'down');
      },
      dedup: { windowMs: 60_000, maxEntries: 1 },
    });
    let calls = 0;
    inbox.setHandler(() => {
      calls += 1;
      return 'answer';
    });
    const first = deliveredMessage({ replyTo: 'asker' });
    const second = deliveredMessage({ replyTo: 'asker' });
    inbox.receive(deliverFrame(first, { deliveryId: '1' }));
    inbox.receive(deliverFrame(second, { deliveryId: '2' }));
    await waitFor(() => answers.length === 2);
    // The second's next copy sends its kept reply; the first's made room for it, so its next
    // copy runs the handler again.
    inbox.receive(deliverFrame(second, { deliveryId: '3' }));
    await waitFor(() => answers.length === 3);
    expect(calls).toBe(2);
    inbox.receive(deliverFrame(first, { deliveryId: '4' }));
    await waitFor(() => answers.length === 4);
    expect(calls).toBe(3);
  });

  it('hands replies to their requests, and drops late ones, acking both', async () => {
    const { inbox, answers, correlations, logged } = setup();
    let calls = 0;
    inbox.setHandler(() => {
      calls += 1;
    });
    const waiting = correlations.wait(
      '0190a000-0000-7000-8000-000000000001',
      new AbortController().signal,
    );
    const reply = deliveredMessage({ correlationId: '0190a000-0000-7000-8000-000000000001' });
    inbox.receive(deliverFrame(reply, { deliveryId: '1' }));
    await expect(waiting).resolves.toBe(reply);
    inbox.receive(
      deliverFrame(deliveredMessage({ correlationId: '0190a000-0000-7000-8000-000000000001' }), {
        deliveryId: '2',
      }),
    );
    expect(answers).toEqual([
      { deliveryId: '1', outcome: ack },
      { deliveryId: '2', outcome: ack },
    ]);
    expect(calls).toBe(0);
    expect(logged).toContainEqual({
      level: 'debug',
      message: 'dropped a reply that came after its request ended',
    });
  });

  it('drops what waits once closed, answers nothing more and takes nothing more', async () => {
    const { inbox, answers } = setup();
    const running = gate();
    let calls = 0;
    inbox.setHandler(async () => {
      calls += 1;
      await running.promise;
    });
    const message = deliveredMessage();
    inbox.receive(deliverFrame(message, { deliveryId: '1' }));
    inbox.receive(deliverFrame(message, { deliveryId: '2' }));
    inbox.receive(deliverFrame(deliveredMessage(), { deliveryId: '3' }));
    await waitFor(() => calls === 1);
    inbox.close();
    expect(inbox.queued).toBe(0);
    running.open();
    inbox.setHandler(() => undefined);
    inbox.receive(deliverFrame(deliveredMessage()));
    expect(inbox.queued).toBe(0);
    // Let the running call and the waiting copy settle: neither is answered.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers).toEqual([]);
    expect(calls).toBe(1);
  });
});
