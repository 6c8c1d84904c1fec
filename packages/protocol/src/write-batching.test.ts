import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchWritesPerTurn } from './write-batching.ts';

/** A `ws` socket's shape: its TCP socket in `_socket`, recording cork and uncork. */
function wsLike() {
  const calls: string[] = [];
  return {
    calls,
    socket: { _socket: { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') } },
  };
}

describe('batchWritesPerTurn', () => {
  it('corks the TCP socket at the first write of a turn and uncorks it when the turn ends', async () => {
    const { calls, socket } = wsLike();
    const holdWrites = batchWritesPerTurn(socket);
    holdWrites();
    holdWrites();
    holdWrites();
    expect(calls).toEqual(['cork']);
    await nextTurn();
    expect(calls).toEqual(['cork', 'uncork']);
    holdWrites();
    await nextTurn();
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('leaves a socket without a corkable TCP socket alone (browsers, other implementations)', () => {
    expect(() => batchWritesPerTurn({})()).not.toThrow();
    expect(() => batchWritesPerTurn({ _socket: { cork: () => {} } })()).not.toThrow();
    expect(() => batchWritesPerTurn(undefined)()).not.toThrow();
  });
});
