import { afterEach, describe, expect, it } from 'vitest';
import { onShutdown } from './shutdown.ts';

function recorder() {
  const lines: string[] = [];
  const log = {
    info: (_obj: object, msg: string) => lines.push(`info ${msg}`),
    error: (_obj: object, msg: string) => lines.push(`error ${msg}`),
  };
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  return { lines, log, exited, exit: (code: number) => resolveExit(code) };
}

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

describe('onShutdown', () => {
  it('stops on SIGTERM and exits 0', async () => {
    const { log, lines, exited, exit } = recorder();
    let stops = 0;
    disposers.push(onShutdown(log, async () => void stops++, { timeoutMs: 1000, exit }));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stops).toBe(1);
    expect(lines).toEqual(['info stopping', 'info stopped']);
  });

  it('flushes after the last line, then exits', async () => {
    const { log, lines, exited, exit } = recorder();
    const flush = async () => void lines.push('flushed');
    disposers.push(onShutdown(log, async () => {}, { timeoutMs: 1000, exit, flush }));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toEqual(['info stopping', 'info stopped', 'flushed']);
  });

  it('exits even when the flush fails', async () => {
    const { log, exited, exit } = recorder();
    const flush = () => Promise.reject(new Error('disk full'));
    disposers.push(onShutdown(log, async () => {}, { timeoutMs: 1000, exit, flush }));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 1 when stop fails', async () => {
    const { log, lines, exited, exit } = recorder();
    disposers.push(
      onShutdown(log, () => Promise.reject(new Error('boom')), { timeoutMs: 1000, exit }),
    );
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(lines).toContain('error stop failed');
  });

  it('exits 1 when stop does not finish within the timeout', async () => {
    const { log, lines, exited, exit } = recorder();
    disposers.push(onShutdown(log, () => new Promise(() => {}), { timeoutMs: 20, exit }));
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(lines).toContain('error stop did not finish in time: exiting');
  });

  it('exits at once on a second signal', async () => {
    const { log, lines, exited, exit } = recorder();
    disposers.push(onShutdown(log, () => new Promise(() => {}), { timeoutMs: 10_000, exit }));
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(lines).toContain('error second signal: exiting now');
  });
});
