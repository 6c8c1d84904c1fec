import { describe, expect, it } from 'vitest';
import { interruptOnSignals, REPEATED_SIGNAL_WINDOW_MS, type SignalSource } from './interrupt.ts';

class FakeProcess implements SignalSource {
  readonly listeners = new Map<string, Array<() => void>>();
  exitCode: number | undefined;
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): this {
    this.listeners.set(signal, [...(this.listeners.get(signal) ?? []), listener]);
    return this;
  }
  exit(code: number): never {
    this.exitCode = code;
    return undefined as never;
  }
  emit(signal: 'SIGINT' | 'SIGTERM'): void {
    for (const listener of this.listeners.get(signal) ?? []) listener();
  }
}

function setUp() {
  const source = new FakeProcess();
  const warnings: string[] = [];
  let clock = 0;
  const signal = interruptOnSignals(
    source,
    (text) => warnings.push(text),
    () => clock,
  );
  return { source, warnings, signal, advance: (ms: number) => (clock += ms) };
}

describe('interruptOnSignals', () => {
  it('aborts on the first SIGINT or SIGTERM', () => {
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const { source, signal } = setUp();
      expect(signal.aborted).toBe(false);
      source.emit(name);
      expect(signal.aborted).toBe(true);
      expect(source.exitCode).toBeUndefined();
    }
  });

  it('treats a signal relayed right after the first as the same interrupt', () => {
    const { source, signal, warnings, advance } = setUp();
    source.emit('SIGINT');
    advance(REPEATED_SIGNAL_WINDOW_MS - 1);
    source.emit('SIGINT');
    source.emit('SIGTERM');
    expect(signal.aborted).toBe(true);
    expect(source.exitCode).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('exits with 130 when interrupted again later, saying so', () => {
    const { source, warnings, advance } = setUp();
    source.emit('SIGINT');
    advance(REPEATED_SIGNAL_WINDOW_MS);
    source.emit('SIGINT');
    expect(source.exitCode).toBe(130);
    expect(warnings).toEqual(['interrupted again: exiting without finishing the shutdown\n']);
  });
});
