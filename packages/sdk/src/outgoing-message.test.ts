import { describe, expect, it } from 'vitest';
import { callOptions, messageFields, subscription, toOutgoingMessage } from './outgoing-message.ts';

const id = '0190a000-0000-7000-8000-000000000001';

describe('messageFields and callOptions', () => {
  it('split a convenience call’s options, leaving out what was not set', () => {
    const signal = new AbortController().signal;
    const options = { priority: 7, headers: { kind: 'a' }, timeoutMs: 5, signal, ttlMs: undefined };
    expect(messageFields(options)).toEqual({ priority: 7, headers: { kind: 'a' } });
    expect(callOptions(options)).toEqual({ timeoutMs: 5, signal });
    expect(callOptions({})).toEqual({});
  });
});

describe('toOutgoingMessage', () => {
  it('adds the id and checks the message against the protocol', () => {
    expect(
      toOutgoingMessage(id, { to: { kind: 'topic', topic: 'orders.eu' }, payload: [1] }),
    ).toEqual({ id, to: { kind: 'topic', topic: 'orders.eu' }, payload: [1] });
  });

  it('refuses what the router would refuse, naming the field', () => {
    expect(() =>
      toOutgoingMessage(id, { to: { kind: 'topic', topic: 'orders.*' }, payload: 1 }),
    ).toThrow(
      expect.objectContaining({
        code: 'E_VALIDATION',
        message: expect.stringContaining('to.topic'),
      }),
    );
    expect(() =>
      toOutgoingMessage(id, { to: { kind: 'agent', agentId: 'a' }, payload: 1, priority: 10 }),
    ).toThrow(expect.objectContaining({ message: expect.stringContaining('priority') }));
  });
});

describe('subscription', () => {
  it('checks the pattern and the filter', () => {
    expect(subscription('orders.>', {})).toEqual({ pattern: 'orders.>' });
    const filter = { headers: { region: ['eu', 'us'] } };
    expect(subscription('orders.*', { filter })).toEqual({ pattern: 'orders.*', filter });
    expect(() => subscription('orders..x', {})).toThrow(
      expect.objectContaining({
        code: 'E_VALIDATION',
        message: expect.stringContaining('pattern'),
      }),
    );
    expect(() => subscription('orders.*', { filter: { headers: { region: [] } } })).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION', message: expect.stringContaining('filter') }),
    );
  });
});
