import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './emitter.ts';

interface Events {
  tick: { count: number };
  other: string;
}

describe('TypedEmitter', () => {
  it('calls listeners of an event in order, and stops calling removed ones', () => {
    const emitter = new TypedEmitter<Events>(() => undefined);
    const calls: string[] = [];
    const first = ({ count }: { count: number }) => void calls.push(`first ${count}`);
    emitter.on('tick', first);
    const removeSecond = emitter.on('tick', ({ count }) => void calls.push(`second ${count}`));
    emitter.on('other', (text) => void calls.push(`other ${text}`));
    emitter.emit('tick', { count: 1 });
    emitter.off('tick', first);
    emitter.emit('tick', { count: 2 });
    removeSecond();
    emitter.emit('tick', { count: 3 });
    emitter.emit('other', 'x');
    expect(calls).toEqual(['first 1', 'second 1', 'second 2', 'other x']);
  });

  it('hands a throwing listener to onListenerError and still calls the rest', () => {
    const failures: Array<[unknown, string]> = [];
    const emitter = new TypedEmitter<Events>((error, event) => void failures.push([error, event]));
    const bug = new Error('bug');
    const calls: number[] = [];
    emitter.on('tick', () => {
      throw bug;
    });
    emitter.on('tick', ({ count }) => void calls.push(count));
    emitter.emit('tick', { count: 7 });
    expect(calls).toEqual([7]);
    expect(failures).toEqual([[bug, 'tick']]);
  });

  it('lets a listener remove itself while the event is being emitted', () => {
    const emitter = new TypedEmitter<Events>(() => undefined);
    const calls: string[] = [];
    const once = emitter.on('other', (text) => {
      calls.push(text);
      once();
    });
    emitter.emit('other', 'a');
    emitter.emit('other', 'b');
    expect(calls).toEqual(['a']);
  });
});
