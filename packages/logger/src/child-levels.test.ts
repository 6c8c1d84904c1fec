import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { ChildLevels } from './child-levels.ts';

// Collection is what this file tests, so it needs a way to trigger it; the flag must be set
// before the new context is made for `gc` to appear in it.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const waitOptions = { timeout: 10_000, interval: 20 };

function root() {
  return pino({ level: 'info' }, { write: () => undefined });
}

describe('ChildLevels', () => {
  it('sets the level of every tracked child, once each however often tracked', () => {
    const levels = new ChildLevels();
    const parent = root();
    const first = parent.child({ agentId: 'a' }, { level: 'warn' });
    const second = parent.child({ agentId: 'b' }, { level: 'error' });
    levels.track(first);
    levels.track(first);
    levels.track(second);

    levels.setLevel('debug');

    expect(levels.size).toBe(2);
    expect([first.level, second.level, parent.level]).toEqual(['debug', 'debug', 'info']);
  });

  it('forgets children once they are collected', async () => {
    const levels = new ChildLevels();
    const parent = root();
    const kept = parent.child({ kept: true }, { level: 'error' });
    levels.track(kept);
    (() => {
      for (let index = 0; index < 100; index += 1) {
        levels.track(parent.child({ index }, { level: 'error' }));
      }
    })();
    expect(levels.size).toBe(101);

    await vi.waitFor(async () => {
      collectGarbage();
      // Finalizers run in a later task than the collection that queued them.
      await new Promise((resolve) => setImmediate(resolve));
      expect(levels.size).toBe(1);
    }, waitOptions);
    levels.setLevel('warn');
    expect(kept.level).toBe('warn');
  });

  it('drops a collected child it meets while setting a level', async () => {
    const levels = new ChildLevels();
    const parent = root();
    (() => {
      levels.track(parent.child({ gone: true }, { level: 'error' }));
    })();

    // Finalizers may lag behind collection: setLevel must cope with a dead reference itself.
    await vi.waitFor(() => {
      collectGarbage();
      levels.setLevel('error');
      expect(levels.size).toBe(0);
    }, waitOptions);
  });
});
